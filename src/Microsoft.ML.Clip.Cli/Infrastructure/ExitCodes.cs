namespace Microsoft.ML.Clip.Cli.Infrastructure;

/// <summary>The process exit codes of <c>clip</c>.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command failed while running (missing file, bad checkpoint, decoding error, …).</summary>
    public const int RuntimeError = 1;

    /// <summary>The command line is wrong (unknown option, missing argument, bad value).</summary>
    public const int Usage = 2;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
