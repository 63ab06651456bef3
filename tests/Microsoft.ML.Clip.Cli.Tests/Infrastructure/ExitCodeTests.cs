namespace Microsoft.ML.Clip.Cli.Tests.Infrastructure;

[TestClass]
public sealed class ExitCodeTests
{
    [TestMethod]
    public void NoCommandIsUsageError()
    {
        CliResult result = CliRunner.Run();
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.StartsWith(result.Error, "clip: error: no command given");
        Assert.AreEqual(1, result.Error.Trim().Split('\n').Length, "one line");
    }

    [TestMethod]
    public void UnknownCommandIsUsageErrorOnOneLine()
    {
        CliResult result = CliRunner.Run("frobnicate");
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.StartsWith(result.Error, "clip: error: ");
        StringAssert.Contains(result.Error, "frobnicate");
        Assert.AreEqual(1, result.Error.Trim().Split('\n').Length, result.Error);
        Assert.AreEqual(string.Empty, result.Out);
    }

    [TestMethod]
    public void HelpListsTheCommandsAndSucceeds()
    {
        CliResult result = CliRunner.Run("--help");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Out, "Usage:");
        foreach (string command in CliCommands.Registered)
        {
            StringAssert.Contains(result.Out, command, $"--help lists '{command}'");
        }
    }

    [TestMethod]
    public void EveryCommandHasHelp()
    {
        foreach (string command in CliCommands.Registered)
        {
            CliResult result = CliRunner.Run(command, "--help");
            Assert.AreEqual(0, result.ExitCode, $"{command} --help: {result}");
            StringAssert.Contains(result.Out, $"clip {command}", $"{command} --help shows its usage");
        }
    }
}
