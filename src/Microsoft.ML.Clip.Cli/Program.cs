using Microsoft.ML.Clip.Cli.Infrastructure;

namespace Microsoft.ML.Clip.Cli;

/// <summary>The <c>clip</c> command's entry point.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code (0 success, 1 runtime error, 2 bad usage).</summary>
    /// <param name="args">The command-line arguments.</param>
    public static int Main(string[] args) => CliApp.Run(args, CliContext.FromConsole(), handleTermination: true);
}
