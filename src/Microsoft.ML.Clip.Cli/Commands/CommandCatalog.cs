using System.CommandLine;
using Microsoft.ML.Clip.Cli.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>Every subcommand of <c>clip</c>.</summary>
internal static class CommandCatalog
{
    /// <summary>Creates the subcommands bound to a context.</summary>
    /// <param name="context">The streams and environment of this run.</param>
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return ClassifyCommand.Create(context);
        yield return EmbedCommand.Create(context);
        yield return SearchCommand.Create(context);
        yield return ForwardCommand.Create(context);
        yield return TokenizeCommand.Create(context);
        yield return PreprocessCommand.Create(context);
        yield return InfoCommand.Create(context);
        yield return BenchCommand.Create(context);
    }
}
