using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

[TestClass]
public sealed class PreprocessCommandTests
{
    [TestMethod]
    public void XClipVideoMatchesTheTransformersPixelValues()
    {
        using var temp = new TempFolder();
        string output = temp.File("pixels.safetensors");
        CliResult result = CliRunner.Run("preprocess", Fixtures.TestsrcVideo, "--model", Fixtures.ProcessorConfig("xclip-base-patch32"), "--output", output);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Out, "[1, 8, 3, 224, 224]");

        using SafeTensorsFile actual = SafeTensorsFile.Open(output);
        using SafeTensorsFile expected = Fixtures.ExpectedPixels("xclip_testsrc_8frames");
        TensorAssert.Close(expected.LoadFloat32("pixel_values"), actual.LoadFloat32("pixel_values"), 1e-5f, "clip preprocess testsrc.mp4");
    }

    [TestMethod]
    public void AltClipImagesMatchTheTransformersPixelValues()
    {
        using var temp = new TempFolder();
        string output = temp.File("pixels.safetensors");
        string[] images = Fixtures.RgbImageNames.Select(Fixtures.Image).ToArray();
        CliResult result = CliRunner.Run(["preprocess", .. images, "--model", Fixtures.ProcessorConfig("altclip"), "-o", output]);
        Assert.AreEqual(0, result.ExitCode, result.ToString());

        using SafeTensorsFile actual = SafeTensorsFile.Open(output);
        Tensor pixels = actual.LoadFloat32("pixel_values");
        CollectionAssert.AreEqual(new[] { images.Length, 3, 224, 224 }, pixels.Shape.ToArray());
        using SafeTensorsFile expected = Fixtures.ExpectedPixels("altclip_images");
        for (int i = 0; i < images.Length; i++)
        {
            Tensor want = expected.LoadFloat32(Fixtures.RgbImageNames[i]);
            TensorAssert.Close(want.Reshape(3, 224, 224), pixels.Slice(i), 1e-5f, Fixtures.RgbImageNames[i]);
        }

    }

    [TestMethod]
    public void XClipImagesAsTheFramesOfOneVideo()
    {
        using var temp = new TempFolder();
        string output = temp.File("pixels.safetensors");
        string[] images = Fixtures.RgbImageNames.Select(Fixtures.Image).ToArray();
        CliResult result = CliRunner.Run(["preprocess", .. images, "--model", Fixtures.ProcessorConfig("xclip-base-patch32"), "--frames", "5", "-o", output]);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Out, "[1, 5, 3, 224, 224]");
        using SafeTensorsFile actual = SafeTensorsFile.Open(output);
        using SafeTensorsFile expected = Fixtures.ExpectedPixels("xclip_rgb_images_as_frames");
        TensorAssert.Close(expected.LoadFloat32("pixel_values"), actual.LoadFloat32("pixel_values"), 1e-5f, "five images as frames");
    }

    [TestMethod]
    public void IsDeterministic()
    {
        using var temp = new TempFolder();
        string[] args = ["preprocess", Fixtures.TestsrcVideo, "--model", Fixtures.ProcessorConfig("xclip-base-patch32"), "--sampling", "stride:4", "-o"];
        Assert.AreEqual(0, CliRunner.Run([.. args, temp.File("a.safetensors")]).ExitCode);
        Assert.AreEqual(0, CliRunner.Run([.. args, temp.File("b.safetensors")]).ExitCode);
        CollectionAssert.AreEqual(File.ReadAllBytes(temp.File("a.safetensors")), File.ReadAllBytes(temp.File("b.safetensors")));
    }

    [TestMethod]
    public void BadSamplingIsAUsageError()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run("preprocess", Fixtures.TestsrcVideo, "--model", Fixtures.ProcessorConfig("xclip-base-patch32"), "--sampling", "sometimes", "-o", temp.File("x.safetensors"));
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.StartsWith(result.Error, "clip: error: --sampling 'sometimes'");
        Assert.IsFalse(File.Exists(temp.File("x.safetensors")));
    }

    [TestMethod]
    public void MissingInputNamesTheFile()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run("preprocess", temp.File("nope.mp4"), "--model", Fixtures.ProcessorConfig("xclip-base-patch32"), "-o", temp.File("x.safetensors"));
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "nope.mp4");
        Assert.AreEqual(1, result.Error.Trim().Split('\n').Length, "one line without --verbose");
    }

    [TestMethod]
    public void VerboseAddsTheStackTrace()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run("preprocess", temp.File("nope.mp4"), "--model", Fixtures.ProcessorConfig("xclip-base-patch32"), "-o", temp.File("x.safetensors"), "--verbose");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "   at ");
    }

    [TestMethod]
    public void MissingOutputOptionIsAUsageError()
    {
        CliResult result = CliRunner.Run("preprocess", Fixtures.TestsrcVideo);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "--output");
    }

    [TestMethod]
    public void OfflineWithoutACachedModelSaysHowToGetIt()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run(
            ["preprocess", Fixtures.TestsrcVideo, "-o", temp.File("x.safetensors")],
            environment: Fixtures.OfflineEnvironment(temp.File("hub")));
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "microsoft/xclip-base-patch32");
        StringAssert.Contains(result.Error, "huggingface-cli download microsoft/xclip-base-patch32");
        StringAssert.Contains(result.Error, "HF_HUB_OFFLINE");
    }
}
