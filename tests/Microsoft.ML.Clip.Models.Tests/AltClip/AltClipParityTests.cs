using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tests.Modeling;

namespace Microsoft.ML.Clip.Tests.AltClip;

/// <summary>Every tensor of tests/fixtures/models/altclip-tiny/expected.safetensors, reproduced by our AltCLIP.</summary>
[TestClass]
public sealed class AltClipParityTests
{
    private static readonly ModelFixture Fixture = new("altclip-tiny");

    [TestMethod]
    public void EveryExpectedTensorMatchesFromSafetensors()
    {
        using AltClipModel model = AltClipModel.FromPretrained(Fixture.Folder);
        Assert.AreEqual(69581, model.ParameterCount, "the fixture README counts 69581 parameters");
        AssertEveryExpectedTensor(model);
    }

    internal static void AssertEveryExpectedTensor(AltClipModel model)
    {
        var trace = new ForwardTrace();
        AltClipOutput output = model.Forward(Fixture.Tokens(), Fixture.Pixels(), new ForwardOptions { OutputHiddenStates = true }, trace);
        var produced = new Dictionary<string, Tensor>(output.ToNamedTensors(), StringComparer.Ordinal);
        foreach (var (name, tensor) in trace.Tensors)
        {
            produced["intermediate." + name] = tensor;
        }

        produced["get_text_features"] = model.GetTextFeatures(Fixture.Tokens());
        produced["get_image_features"] = model.GetImageFeatures(Fixture.Pixels());

        Assert.AreEqual(20, Fixture.Expected.Names.Count, "the fixture README lists 20 expected tensors");
        foreach (string name in Fixture.Expected.Names.OrderBy(n => n, StringComparer.Ordinal))
        {
            Assert.IsTrue(produced.TryGetValue(name, out Tensor? actual), $"we produce no tensor named '{name}'");
            if (name == "intermediate.text_position_ids")
            {
                var (ids, shape) = Fixture.Expected.LoadInt64(name);
                CollectionAssert.AreEqual(shape, actual.Shape.ToArray());
                CollectionAssert.AreEqual(ids, actual.ToArray().Select(v => (long)v).ToArray(), "position ids");
                continue;
            }

            Fixture.AssertClose(name, actual);
            Console.WriteLine($"{name}: max |Δ| = {ModelFixture.MaxAbsDifference(Fixture.Expected.LoadFloat32(name), actual):G3}");
        }
    }
}
