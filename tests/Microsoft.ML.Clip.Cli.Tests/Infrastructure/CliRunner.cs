using Microsoft.ML.Clip.Cli.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Infrastructure;

/// <summary>What one in-process run of <c>clip</c> produced.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Out">Everything written to standard output.</param>
/// <param name="Error">Everything written to standard error.</param>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>Standard output split into lines (without the final empty line).</summary>
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    /// <inheritdoc />
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
}

/// <summary>Runs the real <c>clip</c> command line in-process with captured streams.</summary>
internal static class CliRunner
{
    /// <summary>Runs <c>clip args…</c>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdin">Standard input text.</param>
    /// <param name="environment">Environment variables visible to the command (others read as unset).</param>
    /// <param name="terminal">Pretend standard error is a terminal.</param>
    public static CliResult Run(string[] args, string stdin = "", IReadOnlyDictionary<string, string>? environment = null, bool terminal = false)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var env = environment ?? new Dictionary<string, string>();
        var context = new CliContext(new StringReader(stdin), output, error, terminal, name => env.TryGetValue(name, out string? v) ? v : null);
        int code = CliApp.Run(args, context);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs <c>clip args…</c>.</summary>
    /// <param name="args">The arguments.</param>
    public static CliResult Run(params string[] args) => Run(args, stdin: "");
}
