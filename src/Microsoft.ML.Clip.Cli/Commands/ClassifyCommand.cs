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
        var labels = new Option<string?>("--labels", "-l")
        {
            Description = "Comma-separated labels, e.g. \"playing guitar,cooking,dancing\" (any language with AltCLIP). "
                + "A label with a comma is given with --label or --labels-file.",
            HelpName = "a,b,c",
        };
        var label = new Option<string[]>("--label")
        {
            Description = "One label, taken as it is (commas included); repeat the option for each label. Combines with --labels and --labels-file.",
            HelpName = "text",
            Arity = ArgumentArity.OneOrMore,
        };
        var labelsFile = new Option<string?>("--labels-file")
        {
            Description = "A UTF-8 text file with one label per line (blank lines are ignored).",
            HelpName = "file",
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
        Option<string> sampling = CommonOptions.Sampling("each clip's label probabilities are averaged, as X-CLIP's multi-view test does");
        Option<string> precision = CommonOptions.Precision();

        var command = new Command("classify", "Zero-shot classification: rank labels for each video (X-CLIP) or image (AltCLIP).")
        {
            inputs, labels, label, labelsFile, template, top, json, model, frames, sampling, precision,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            Modeling.ComputePrecision computePrecision = CommonOptions.ParsePrecision(parse.GetValue(precision));
            string[] names = CollectLabels(parse.GetValue(labels), parse.GetValue(label), parse.GetValue(labelsFile));
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

            string[] arguments = parse.GetRequiredValue(inputs);
            List<string> files = MediaFiles.Expand(arguments);
            if (files.Count == 0)
            {
                throw new UsageException($"nothing to classify: {string.Join(", ", arguments.Select(a => $"'{a}'"))} holds no videos or images.");
            }

            string[] prompts = names.Select(n => pattern.Replace("{}", n, StringComparison.Ordinal)).ToArray();
            using ICliModel loaded = ModelLoader.Load(
                context, parse.GetValue(model), MediaFiles.DefaultModelFor(files), cancellationToken,
                CommonOptions.ParseSampling(parse.GetValue(sampling) ?? "uniform"), parse.GetValue(frames), computePrecision);
            foreach (string file in files)
            {
                float[] probabilities = loaded.ZeroShotProbabilities(file, prompts, cancellationToken);
                if (!probabilities.All(float.IsFinite))
                {
                    throw new InvalidDataException($"the model gave NaN or infinite scores for '{file}' (are its weights damaged?); no result is printed for it.");
                }

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

    /// <summary>
    /// The labels of <c>--labels</c> (split at commas, trimmed), then <c>--label</c> (as given), then the lines of
    /// <c>--labels-file</c> (trimmed, blank lines skipped); at least two, none empty, no duplicates.
    /// </summary>
    /// <param name="commaSeparated">The <c>--labels</c> value, or null.</param>
    /// <param name="single">The <c>--label</c> values, or null.</param>
    /// <param name="file">The <c>--labels-file</c> value, or null.</param>
    internal static string[] CollectLabels(string? commaSeparated, string[]? single, string? file)
    {
        single = single is { Length: > 0 } ? single : null; // the parser gives an empty list when --label is absent
        var names = new List<string>();
        if (commaSeparated is not null)
        {
            string[] split = commaSeparated.Split(',', StringSplitOptions.TrimEntries);
            int empty = Array.IndexOf(split, string.Empty);
            if (empty >= 0)
            {
                throw new UsageException(
                    $"--labels '{commaSeparated}': label {empty + 1} is empty; separate labels with single commas, e.g. \"playing guitar,cooking\" (a label with a comma goes in --label).");
            }

            names.AddRange(split);
        }

        foreach (string name in single ?? [])
        {
            names.Add(name.Length > 0 && name.Trim().Length > 0 ? name : throw new UsageException("--label '' is empty; give the label's text."));
        }

        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new UsageException($"--labels-file '{file}' does not exist.");
            }

            names.AddRange(File.ReadLines(file, System.Text.Encoding.UTF8).Select(l => l.Trim()).Where(l => l.Length > 0));
        }

        if (commaSeparated is null && single is null && file is null)
        {
            throw new UsageException("no labels given: use --labels \"a,b,c\", --label a --label b (repeatable), or --labels-file labels.txt.");
        }

        // Name what the user typed: "--labels 'a'" when only --labels was given, else every option used.
        string given = single is null && file is null
            ? $"--labels '{commaSeparated}'"
            : string.Join(" + ", new[] { commaSeparated is null ? null : "--labels", single is null ? null : "--label", file is null ? null : $"--labels-file '{file}'" }.OfType<string>());
        if (names.Count < 2)
        {
            throw new UsageException($"{given} gives {names.Count} label(s); zero-shot classification needs at least two to choose from.");
        }

        string? duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new UsageException($"{given} lists the label '{duplicate}' twice.");
        }

        return names.ToArray();
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
