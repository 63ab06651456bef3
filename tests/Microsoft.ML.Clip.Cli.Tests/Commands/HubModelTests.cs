using Microsoft.ML.Clip.Cli.Tests.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

/// <summary>
/// <c>--model org/name</c> resolves through the Hugging Face cache layout Python uses
/// (<c>models--org--name/refs/main</c> → <c>snapshots/{commit}/</c>), offline so no test touches the network.
/// </summary>
[TestClass]
public sealed class HubModelTests
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";

    [TestMethod]
    public void CachedHubIdWorksOffline()
    {
        using var temp = new TempFolder();
        string cache = temp.File("hub");
        string snapshot = Path.Combine(cache, "models--tiny-org--xclip-tiny", "snapshots", Commit);
        Directory.CreateDirectory(snapshot);
        foreach (string file in Directory.GetFiles(TinyModels.XClip))
        {
            File.Copy(file, Path.Combine(snapshot, Path.GetFileName(file)));
        }

        Directory.CreateDirectory(Path.Combine(cache, "models--tiny-org--xclip-tiny", "refs"));
        File.WriteAllText(Path.Combine(cache, "models--tiny-org--xclip-tiny", "refs", "main"), Commit);

        var environment = Fixtures.OfflineEnvironment(cache);
        CliResult info = CliRunner.Run(["info", "--model", "tiny-org/xclip-tiny"], environment: environment);
        Assert.AreEqual(0, info.ExitCode, info.ToString());
        StringAssert.Contains(info.Out, "model:       tiny-org/xclip-tiny");
        StringAssert.Contains(info.Out, $"folder:      {snapshot}");

        CliResult classify = CliRunner.Run(["classify", Fixtures.TestsrcVideo, "--labels", "a,b", "--model", "tiny-org/xclip-tiny"], environment: environment);
        Assert.AreEqual(0, classify.ExitCode, classify.ToString());

        CliResult pinned = CliRunner.Run(["info", "--model", $"tiny-org/xclip-tiny@{Commit}"], environment: environment);
        Assert.AreEqual(0, pinned.ExitCode, pinned.ToString());
    }

    [TestMethod]
    public void UncachedHubIdOfflineNamesTheCommandAndVariable()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run(["embed", Fixtures.Image("rgb_97x61"), "-o", temp.File("e.csv")], environment: Fixtures.OfflineEnvironment(temp.File("hub")));
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "BAAI/AltCLIP", "images default to AltCLIP");
        StringAssert.Contains(result.Error, "huggingface-cli download BAAI/AltCLIP");
        StringAssert.Contains(result.Error, "HF_HUB_OFFLINE");
        Assert.AreEqual(1, result.Error.Trim().Split('\n').Length, result.Error);
        Assert.IsFalse(File.Exists(temp.File("e.csv")));
    }

    [TestMethod]
    public void MalformedIdIsExplained()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run(["info", "--model", "not a model id"], environment: Fixtures.OfflineEnvironment(temp.File("hub")));
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "not a model id");
    }
}
