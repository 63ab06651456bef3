using System.CommandLine;
using System.CommandLine.Help;
using Microsoft.ML.Clip.Cli.Commands;

namespace Microsoft.ML.Clip.Cli.Infrastructure;

/// <summary>
/// Builds the <c>clip</c> command tree and runs one command line: parse errors and <see cref="UsageException"/>s exit
/// with 2, any other failure with 1, each reported as one line <c>clip: error: …</c> on standard error (the stack trace
/// only with <c>--verbose</c>).
/// </summary>
internal static class CliApp
{
    /// <summary>Runs a command line and returns the exit code.</summary>
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="context">The streams and environment to use.</param>
    /// <param name="handleTermination">True in the real process: Ctrl+C cancels the running command.</param>
    public static int Run(string[] args, CliContext context, bool handleTermination = false)
    {
        var verboseOption = new Option<bool>("--verbose", "-v")
        {
            Description = "Print full error details (stack traces) on errors.",
            Recursive = true,
        };
        Command root = BuildRoot(context, verboseOption);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            string command = parse.CommandResult.Command == root ? "clip" : $"clip {parse.CommandResult.Command.Name}";
            WriteError(context, parse.Errors[0].Message + $" (see '{command} --help')");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
        };
        if (!handleTermination)
        {
            invocation.ProcessTerminationTimeout = null;
        }

        bool verbose = parse.GetValue(verboseOption);
        try
        {
            return parse.Invoke(invocation);
        }
        catch (Exception e)
        {
            Exception error = Unwrap(e);
            if (error is OperationCanceledException)
            {
                WriteError(context, "cancelled.");
                return ExitCodes.Cancelled;
            }

            if (verbose)
            {
                context.Error.WriteLine($"clip: error: {error}");
            }
            else
            {
                WriteError(context, CommandLineMessage(error));
            }

            return error is UsageException ? ExitCodes.Usage : ExitCodes.RuntimeError;
        }
        finally
        {
            context.Out.Flush();
        }
    }

    /// <summary>Writes <c>clip: error: message</c> as one line.</summary>
    /// <param name="context">Where to write.</param>
    /// <param name="message">The message; line breaks become spaces.</param>
    public static void WriteError(CliContext context, string message) =>
        context.Error.WriteLine("clip: error: " + OneLine(message));

    /// <summary>
    /// The message of an error in command-line terms: library errors that name .NET API (the ffmpeg install hint's
    /// <c>FfmpegTools(…)</c>) are reworded for a shell user.
    /// </summary>
    /// <param name="error">The error.</param>
    internal static string CommandLineMessage(Exception error) => error switch
    {
        Vision.FfmpegNotFoundException missing =>
            $"could not start '{missing.Program}': clip needs ffmpeg (with ffprobe) to decode videos and images. Install it "
            + "(Debian/Ubuntu `sudo apt-get install ffmpeg`, macOS `brew install ffmpeg`, Windows `winget install Gyan.FFmpeg`) "
            + "or set CLIP_FFMPEG and CLIP_FFPROBE to the programs' paths.",
        _ => error.Message,
    };

    /// <summary>Joins the lines of a message into one.</summary>
    /// <param name="message">Any text.</param>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static Command BuildRoot(CliContext context, Option<bool> verbose)
    {
        // A plain command named "clip" (not RootCommand, whose name is the host executable's) so help reads
        // "clip …" also when the tool runs in-process under a test host.
        var root = new Command(
            "clip",
            "clip: X-CLIP (video–text) and AltCLIP (multilingual image–text) from the command line — zero-shot classification, "
            + "embeddings, search, and parity tools. --model takes a Hugging Face Hub id or a local folder.");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(verbose);
        foreach (Command command in CommandCatalog.Create(context))
        {
            root.Subcommands.Add(command);
        }

        root.SetAction((Func<ParseResult, int>)(_ => throw new UsageException("no command given; run 'clip --help' to list the commands.")));
        return root;
    }

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    e = aggregate.InnerExceptions[0];
                    continue;
                case System.Reflection.TargetInvocationException { InnerException: Exception inner }:
                    e = inner;
                    continue;
                default:
                    return e;
            }
        }
    }
}
