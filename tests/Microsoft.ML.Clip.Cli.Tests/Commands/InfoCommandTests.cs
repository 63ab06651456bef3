using Microsoft.ML.Clip.Cli.Tests.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

[TestClass]
public sealed class InfoCommandTests
{
    [TestMethod]
    public void XClipTinySummary()
    {
        CliResult result = CliRunner.Run("info", "--model", Fixtures.XClipTiny);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        // The fixture README: 100370 parameters, 151 state_dict tensors; config from fixture.json.
        StringAssert.Contains(result.Out, "parameters:  100,370 (100.4 K) in 151 tensors, F32");
        StringAssert.Contains(result.Out, "type:        xclip");
        StringAssert.Contains(result.Out, "patch 8, image 32×32, frames 3, MIT hidden 24 × 1 layer(s)");
        StringAssert.Contains(result.Out, "text:        hidden 32, layers 2, heads 4, vocab 1000, max positions 77");
        StringAssert.Contains(result.Out, "embedding:   24");
        StringAssert.Contains(result.Out, "model.safetensors");
    }

    [TestMethod]
    public void AltClipTinySummary()
    {
        CliResult result = CliRunner.Run("info", "--model", Fixtures.AltClipTiny);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        // The fixture README: 69581 parameters, 83 state_dict tensors.
        StringAssert.Contains(result.Out, "parameters:  69,581 (69.6 K) in 83 tensors, F32");
        StringAssert.Contains(result.Out, "type:        altclip");
        StringAssert.Contains(result.Out, "max positions 40, project_dim 24");
    }

    [TestMethod]
    public void PyTorchWeightsAreCountedToo()
    {
        using var temp = new TempFolder();
        File.Copy(Path.Combine(Fixtures.XClipTiny, "config.json"), temp.File("config.json"));
        File.Copy(Path.Combine(Fixtures.XClipTiny, "pytorch_model.bin"), temp.File("pytorch_model.bin"));
        CliResult result = CliRunner.Run("info", "--model", temp.Path);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Out, "parameters:  100,370 ");
        StringAssert.Contains(result.Out, "pytorch_model.bin");
    }

    [TestMethod]
    public void MissingFolderIsAnErrorNamingIt()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run("info", "--model", temp.File("no-such-model") + "/");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "no-such-model");
    }

    [TestMethod]
    public void NotAClipCheckpointIsExplained()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("config.json"), "{\"model_type\": \"bert\"}");
        CliResult result = CliRunner.Run("info", "--model", temp.Path);
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "model_type is 'bert'");
    }

    [TestMethod]
    public void OfflineDefaultModelErrorNamesTheDownloadCommand()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run(["info"], environment: Fixtures.OfflineEnvironment(temp.File("hub")));
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "huggingface-cli download microsoft/xclip-base-patch32");
    }
}
