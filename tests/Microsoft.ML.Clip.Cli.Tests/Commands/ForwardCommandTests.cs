using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;
using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

/// <summary><c>clip forward</c> against the expected outputs transformers 4.37.2 recorded for the tiny checkpoints.</summary>
[TestClass]
public sealed class ForwardCommandTests
{
    [TestMethod]
    [DataRow("xclip-tiny", "model.safetensors")]
    [DataRow("xclip-tiny", "pytorch_model.bin")]
    [DataRow("altclip-tiny", "model.safetensors")]
    [DataRow("altclip-tiny", "pytorch_model.bin")]
    public void EveryForwardOutputMatchesTransformers(string fixture, string weights)
    {
        using var temp = new TempFolder();
        string model = Path.Combine(temp.Path, "model");
        Directory.CreateDirectory(model);
        File.Copy(TestFixtures.Path($"models/{fixture}/config.json"), Path.Combine(model, "config.json"));
        File.Copy(TestFixtures.Path($"models/{fixture}/{weights}"), Path.Combine(model, weights));
        string output = temp.File("out.safetensors");

        CliResult result = CliRunner.Run("forward", "--model", model, "--inputs", TestFixtures.Path($"models/{fixture}/inputs.safetensors"), "--output", output, "--hidden-states");
        Assert.AreEqual(0, result.ExitCode, result.ToString());

        using SafeTensorsFile expected = SafeTensorsFile.Open(TestFixtures.Path($"models/{fixture}/expected.safetensors"));
        using SafeTensorsFile actual = SafeTensorsFile.Open(output);
        int compared = 0;
        foreach (string name in expected.Names.Where(IsForwardOutput))
        {
            Assert.IsNotNull(actual.GetInfo(name), $"clip forward did not write '{name}'; it wrote: {string.Join(", ", actual.Names)}");
            float tolerance = name.StartsWith("logits", StringComparison.Ordinal) ? 1e-3f : 1e-4f;
            TensorAssert.Close(expected.LoadFloat32(name), actual.LoadFloat32(name), tolerance, $"{fixture} ({weights}) {name}");
            StringAssert.Contains(result.Out, name + " [", $"stdout lists {name}");
            compared++;
        }

        Assert.IsTrue(compared >= 14, $"only {compared} outputs compared");
    }

    [TestMethod]
    public void WithoutHiddenStatesTheyAreNotWritten()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run("forward", "-m", Fixtures.XClipTiny, "-i", Path.Combine(Fixtures.XClipTiny, "inputs.safetensors"), "-o", temp.File("o.safetensors"));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        using SafeTensorsFile actual = SafeTensorsFile.Open(temp.File("o.safetensors"));
        Assert.IsFalse(actual.Names.Any(n => n.Contains("hidden_states", StringComparison.Ordinal)), string.Join(", ", actual.Names));
        Assert.IsNotNull(actual.GetInfo("logits_per_video"));
    }

    [TestMethod]
    public void IsDeterministic()
    {
        using var temp = new TempFolder();
        string[] args = ["forward", "-m", Fixtures.AltClipTiny, "-i", Path.Combine(Fixtures.AltClipTiny, "inputs.safetensors"), "--hidden-states", "-o"];
        Assert.AreEqual(0, CliRunner.Run([.. args, temp.File("a.safetensors")]).ExitCode);
        Assert.AreEqual(0, CliRunner.Run([.. args, temp.File("b.safetensors")]).ExitCode);
        CollectionAssert.AreEqual(File.ReadAllBytes(temp.File("a.safetensors")), File.ReadAllBytes(temp.File("b.safetensors")));
    }

    [TestMethod]
    public void Int32InputsWithoutMaskAreAccepted()
    {
        using var temp = new TempFolder();
        using (SafeTensorsFile inputs = SafeTensorsFile.Open(Path.Combine(Fixtures.XClipTiny, "inputs.safetensors")))
        {
            var (ids, shape) = inputs.LoadInt64("input_ids");
            new SafeTensorsWriter()
                .Add("pixel_values", inputs.LoadFloat32("pixel_values"))
                .Add("input_ids", ids.Take(8).ToArray(), [1, 8]) // the first row has no padding
                .Save(temp.File("in.safetensors"));
        }

        CliResult result = CliRunner.Run("forward", "-m", Fixtures.XClipTiny, "-i", temp.File("in.safetensors"), "-o", temp.File("o.safetensors"));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Out, "logits_per_video [2, 1]");
        using SafeTensorsFile expected = SafeTensorsFile.Open(Path.Combine(Fixtures.XClipTiny, "expected.safetensors"));
        using SafeTensorsFile actual = SafeTensorsFile.Open(temp.File("o.safetensors"));
        float[] want = expected.LoadFloat32("logits_per_video").ToArray(); // [2, 3]: column 0 is the first text
        float[] got = actual.LoadFloat32("logits_per_video").ToArray();
        TensorAssert.Close(new[] { want[0], want[3] }, got, 1e-3f, "logits of the first text");
    }

    [TestMethod]
    public void MissingInputTensorIsNamed()
    {
        using var temp = new TempFolder();
        new SafeTensorsWriter().Add("pixel_values", new float[] { 1 }, [1]).Save(temp.File("in.safetensors"));
        CliResult result = CliRunner.Run("forward", "-m", Fixtures.XClipTiny, "-i", temp.File("in.safetensors"), "-o", temp.File("o.safetensors"));
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "has no tensor 'input_ids'");
        Assert.IsFalse(File.Exists(temp.File("o.safetensors")));
    }

    [TestMethod]
    public void WrongFrameCountIsAnError()
    {
        using var temp = new TempFolder();
        using (SafeTensorsFile inputs = SafeTensorsFile.Open(Path.Combine(Fixtures.XClipTiny, "inputs.safetensors")))
        {
            var (ids, shape) = inputs.LoadInt64("input_ids");
            // [2, 3, 3, 32, 32] seen as [3, 2, 3, 32, 32]: 2 frames per video where the model takes 3.
            new SafeTensorsWriter()
                .Add("pixel_values", inputs.LoadFloat32("pixel_values").Span, [3, 2, 3, 32, 32])
                .Add("input_ids", ids, shape)
                .Save(temp.File("in.safetensors"));
        }

        CliResult result = CliRunner.Run("forward", "-m", Fixtures.XClipTiny, "-i", temp.File("in.safetensors"), "-o", temp.File("o.safetensors"));
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.StartsWith(result.Error, "clip: error: ");
        StringAssert.Contains(result.Error, "3");
    }

    private static bool IsForwardOutput(string name) =>
        !name.StartsWith("intermediate.", StringComparison.Ordinal)
        && !name.StartsWith("get_", StringComparison.Ordinal)
        && !name.StartsWith("vision_model.", StringComparison.Ordinal);
}
