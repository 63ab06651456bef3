namespace Microsoft.ML.Clip.Cli;

/// <summary>The <c>clip</c> command's entry point.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    /// <param name="args">The command-line arguments.</param>
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("clip: no commands yet.");
        return args.Length == 0 ? 2 : 1;
    }
}
