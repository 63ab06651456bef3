using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tests.Modeling;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Tests.XClip;

/// <summary>Every tensor of tests/fixtures/models/xclip-tiny/expected.safetensors, reproduced by our X-CLIP.</summary>
[TestClass]
public sealed class XClipParityTests
{
    private static readonly ModelFixture Fixture = new("xclip-tiny");

    [TestMethod]
    public void EveryExpectedTensorMatchesFromSafetensors()
    {
        using XClipModel model = XClipModel.FromPretrained(Fixture.Folder);
        Assert.AreEqual(100370, model.ParameterCount, "the fixture README counts 100370 parameters");
        AssertEveryExpectedTensor(model);
    }

    internal static void AssertEveryExpectedTensor(XClipModel model)
    {
        var trace = new ForwardTrace();
        XClipOutput output = model.Forward(Fixture.Tokens(), Fixture.Pixels(), new ForwardOptions { OutputHiddenStates = true }, trace);
        var produced = new Dictionary<string, Tensor>(output.ToNamedTensors(), StringComparer.Ordinal);
        foreach (var (name, tensor) in trace.Tensors)
        {
            produced["intermediate." + name] = tensor;
        }

        produced["get_text_features"] = model.GetTextFeatures(Fixture.Tokens());
        produced["get_video_features"] = model.GetVideoFeatures(Fixture.Pixels());
        Tensor pixels = Fixture.Pixels();
        EncoderOutput vision = model.VisionModel.Forward(pixels.Reshape(-1, pixels.Dim(2), pixels.Dim(3), pixels.Dim(4)));
        produced["vision_model.last_hidden_state"] = vision.LastHiddenState;
        produced["vision_model.pooler_output"] = vision.PoolerOutput;

        Assert.AreEqual(28, Fixture.Expected.Names.Count, "the fixture README lists 28 expected tensors");
        foreach (string name in Fixture.Expected.Names.OrderBy(n => n, StringComparer.Ordinal))
        {
            Assert.IsTrue(produced.TryGetValue(name, out Tensor? actual), $"we produce no tensor named '{name}'");
            Fixture.AssertClose(name, actual);
            Console.WriteLine($"{name}: max |Δ| = {ModelFixture.MaxAbsDifference(Fixture.Expected.LoadFloat32(name), actual):G3}");
        }
    }
}
