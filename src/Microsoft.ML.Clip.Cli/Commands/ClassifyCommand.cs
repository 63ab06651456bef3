using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Cli.Models;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// <c>clip classify</c>: zero-shot classification of videos (X-CLIP) or images (AltCLIP, labels in any language):
/// a ranked table of labels with probabilities (softmax of the logits) per input.
/// </summary>
internal static class ClassifyCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Creates the command.</summary>
    /// <param name="context">The run's streams and environment.</param>
    public static Command Create(CliContext context)
    {
        var inputs = new Argument<string[]>("inputs")
        {
            Description = "Videos or images (folders are searched recursively).",
            Arity = ArgumentArity.OneOrMore,
        };
        var labels = new Option<string>("--labels", "-l")
        {
            Description = "Comma-separated labels, e.g. \"playing guitar,cooking,dancing\" (any language with AltCLIP).",
            Required = true,
            HelpName = "a,b,c",
        };
        var template = new Option<string>("--template", "-t")
        {
            Description = "The prompt made from each label; {} is replaced by the label, e.g. \"a video of {}\". Default: the label itself.",
            DefaultValueFactory = _ => "{}",
            HelpName = "text with {}",
        };
        var top = new Option<int?>("--top", "-k") { Description = "Show only the K most likely labels per input.", HelpName = "K" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per input instead of a table: {\"input\", \"labels\", \"probabilities\"} (ranked)." };
        Option<string?> model = CommonOptions.Model();
        Option<int?> frames = CommonOptions.Frames();
        Option<string> sampling = CommonOptions.Sampling();

        var command = new Command("classify", "Zero-shot classification: rank labels for each video (X-CLIP) or image (AltCLIP).")
        {
            inputs, labels, template, top, json, model, frames, sampling,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            string[] names = ParseLabels(parse.GetRequiredValue(labels));
            string pattern = parse.GetValue(template) ?? "{}";
            if (!pattern.Contains("{}", StringComparison.Ordinal))
            {
                throw new UsageException($"--template '{pattern}' has no '{{}}' where the label goes, e.g. \"a video of {{}}\".");
            }

            int? k = parse.GetValue(top);
            if (k is < 1)
            {
                throw new UsageException($"--top must be at least 1, not {k}.");
            }

            List<string> files = MediaFiles.Expand(parse.GetRequiredValue(inputs));
            string[] prompts = names.Select(n => pattern.Replace("{}", n, StringComparison.Ordinal)).ToArray();
            using ICliModel loaded = ModelLoader.Load(
                context, parse.GetValue(model), MediaFiles.DefaultModelFor(files), cancellationToken,
                CommonOptions.ParseSampling(parse.GetValue(sampling) ?? "uniform"), parse.GetValue(frames));
            foreach (string file in files)
            {
                float[] probabilities = loaded.ZeroShotProbabilities(file, prompts, cancellationToken);
                int[] ranked = Enumerable.Range(0, names.Length).OrderByDescending(i => probabilities[i]).ThenBy(i => i).Take(k ?? names.Length).ToArray();
                if (parse.GetValue(json))
                {
                    context.Out.WriteLine(JsonSerializer.Serialize(
                        new { input = file, labels = ranked.Select(i => names[i]), probabilities = ranked.Select(i => probabilities[i]) }, JsonOptions));
                }
                else
                {
                    WriteTable(context.Out, file, names, probabilities, ranked);
                }
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Splits <c>--labels</c> at commas, trimming spaces; empty or duplicate labels are usage errors.</summary>
    /// <param name="text">The option's value.</param>
    internal static string[] ParseLabels(string text)
    {
        string[] names = text.Split(',', StringSplitOptions.TrimEntries);
        if (names.Length < 2 || names.Any(n => n.Length == 0))
        {
            throw new UsageException($"--labels needs at least two non-empty comma-separated labels, e.g. \"playing guitar,cooking\"; got '{text}'.");
        }

        string? duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new UsageException($"--labels lists '{duplicate}' twice.");
        }

        return names;
    }

    private static void WriteTable(TextWriter o, string file, string[] labels, float[] probabilities, int[] ranked)
    {
        int width = Math.Max(5, labels.Max(l => l.Length));
        o.WriteLine(file);
        o.WriteLine($"  {"rank",4}  {"label".PadRight(width)}  probability");
        int rank = 0;
        foreach (int i in ranked)
        {
            rank++;
            o.WriteLine($"  {rank,4}  {labels[i].PadRight(width)}  {probabilities[i].ToString("F4", CultureInfo.InvariantCulture),11}");
        }
    }
}
