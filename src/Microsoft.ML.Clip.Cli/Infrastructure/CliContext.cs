namespace Microsoft.ML.Clip.Cli.Infrastructure;

/// <summary>
/// The streams and environment one run of <c>clip</c> uses. <see cref="Program.Main"/> passes the process console;
/// tests pass string writers, so every command runs in-process exactly as it does from a shell.
/// </summary>
internal sealed class CliContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="input">Standard input (texts for <c>tokenize</c>).</param>
    /// <param name="output">Standard output (results).</param>
    /// <param name="error">Standard error (errors, progress).</param>
    /// <param name="errorIsTerminal">True when standard error is an interactive terminal: progress is drawn as a bar.</param>
    /// <param name="getEnvironmentVariable">Reads environment variables (HF_HOME, HF_HUB_OFFLINE, …).</param>
    public CliContext(TextReader input, TextWriter output, TextWriter error, bool errorIsTerminal, Func<string, string?>? getEnvironmentVariable = null)
    {
        In = input;
        Out = output;
        Error = error;
        ErrorIsTerminal = errorIsTerminal;
        GetEnvironmentVariable = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
    }

    /// <summary>Standard input.</summary>
    public TextReader In { get; }

    /// <summary>Standard output: results only, so they can be piped.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error: errors and progress.</summary>
    public TextWriter Error { get; }

    /// <summary>True when standard error is a terminal (draw a progress bar rather than progress lines).</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>Reads an environment variable.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; }

    /// <summary>The context of the real process: the console's streams, UTF-8 without a byte-order mark.</summary>
    public static CliContext FromConsole()
    {
        var utf8 = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        Console.OutputEncoding = utf8;
        Console.InputEncoding = utf8;
        // Results are buffered (CliApp flushes them when the command ends); errors and progress are not.
        var output = new StreamWriter(Console.OpenStandardOutput(), utf8, 1 << 16) { AutoFlush = false };
        var error = new StreamWriter(Console.OpenStandardError(), utf8) { AutoFlush = true };
        var input = new StreamReader(Console.OpenStandardInput(), utf8);
        return new CliContext(input, output, error, !Console.IsErrorRedirected);
    }
}
