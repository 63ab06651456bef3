namespace Microsoft.ML.Clip.Cli.Tests.Infrastructure;

/// <summary>The subcommands the tool registers (checked by the help tests).</summary>
internal static class CliCommands
{
    /// <summary>Their names.</summary>
    public static readonly string[] Registered = ["classify", "embed", "search", "forward", "tokenize", "preprocess", "info", "bench"];
}
