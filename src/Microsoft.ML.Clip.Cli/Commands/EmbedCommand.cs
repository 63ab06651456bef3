using System.CommandLine;
using System.Text;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Cli.Models;
using Microsoft.ML.Clip.Cli.Output;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// <c>clip embed</c>: embeds videos, images or the lines of text files into a .csv/.jsonl/.safetensors file, resuming
/// where an earlier run stopped (inputs already in the file are skipped) and rewriting the file atomically after every
/// batch, with progress on standard error.
/// </summary>
internal static class EmbedCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="context">The run's streams and environment.</param>
    public static Command Create(CliContext context)
    {
        var inputs = new Argument<string[]>("inputs")
        {
            Description = "Videos, images, folders (searched recursively for videos and images), or .txt files whose non-empty lines are embedded as texts.",
            Arity = ArgumentArity.OneOrMore,
        };
        Option<string?> model = CommonOptions.Model(
            ModelDefaults.ModelOptionDescription + " Texts alone use " + ModelDefaults.Image + ".");
        var output = new Option<string>("--out", "-o")
        {
            Description = "The embeddings file: .csv, .jsonl or .safetensors (chosen by extension). If it exists, its inputs are kept and skipped.",
            Required = true,
            HelpName = "file",
        };
        var batchSize = new Option<int>("--batch-size", "-b")
        {
            Description = "Inputs per model call (and per atomic save of the output).",
            DefaultValueFactory = _ => 8,
            HelpName = "N",
        };

        Option<int?> frames = CommonOptions.Frames();
        Option<string> sampling = CommonOptions.Sampling();

        var command = new Command("embed", "Embed videos, images or lines of text into a CSV, JSON lines or safetensors file (resumable).")
        {
            inputs, model, output, batchSize, frames, sampling,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            int batch = parse.GetValue(batchSize);
            if (batch < 1)
            {
                throw new UsageException($"--batch-size must be at least 1, not {batch}.");
            }

            string outPath = parse.GetRequiredValue(output);
            EmbeddingFormats.FromPath(outPath);
            var (media, texts) = CollectInputs(parse.GetRequiredValue(inputs));
            if (media.Count > 0 && texts.Count > 0)
            {
                throw new UsageException("both media files and .txt files were given: embed them into separate output files (one 'clip embed' run each).");
            }

            if (media.Count == 0 && texts.Count == 0)
            {
                throw new UsageException("nothing to embed: the inputs hold no videos, images or non-empty text lines.");
            }

            // An existing output is resumed only with the model that made it (checked before loading any model).
            string modelName = string.IsNullOrWhiteSpace(parse.GetValue(model))
                ? (media.Count > 0 ? MediaFiles.DefaultModelFor(media) : ModelDefaults.Image)
                : parse.GetValue(model)!.Trim();
            EmbeddingFile file = File.Exists(outPath) ? EmbeddingFile.Load(outPath) : new EmbeddingFile(modelName);
            if (file.Count > 0 && file.Model != modelName)
            {
                throw new UsageException($"'{outPath}' holds embeddings of '{file.Model}', not '{modelName}'; choose another --out or the same --model.");
            }

            using ICliModel loaded = ModelLoader.Load(
                context, modelName, modelName, cancellationToken,
                CommonOptions.ParseSampling(parse.GetValue(sampling) ?? "uniform"), parse.GetValue(frames));
            List<string> todo = (media.Count > 0 ? media : texts).Distinct(StringComparer.Ordinal).Where(i => !file.Contains(i)).ToList();
            int skipped = (media.Count > 0 ? media : texts).Distinct(StringComparer.Ordinal).Count() - todo.Count;
            if (skipped > 0)
            {
                context.Error.WriteLine($"clip: {skipped} input(s) already in '{outPath}', skipped.");
            }

            var progress = new ProgressReporter(context, "embed", todo.Count);
            for (int start = 0; start < todo.Count; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                List<string> chunk = todo.GetRange(start, Math.Min(batch, todo.Count - start));
                float[][] vectors = media.Count > 0 ? loaded.EmbedMedia(chunk, cancellationToken) : loaded.EmbedTexts(chunk);
                for (int i = 0; i < chunk.Count; i++)
                {
                    file.Add(chunk[i], vectors[i]);
                }

                file.Save(outPath);
                progress.Advance(chunk.Count);
            }

            progress.Finish();

            context.Out.WriteLine($"{file.Count} embedding(s) of size {loaded.Dimension} in {outPath} ({todo.Count} new)");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static (List<string> Media, List<string> Texts) CollectInputs(IEnumerable<string> arguments)
    {
        var media = new List<string>();
        var texts = new List<string>();
        foreach (string file in MediaFiles.Expand(arguments, includeText: true))
        {
            if (MediaFiles.IsText(file))
            {
                texts.AddRange(File.ReadLines(file, Encoding.UTF8).Select(l => l.Trim()).Where(l => l.Length > 0));
            }
            else if (MediaFiles.IsImage(file) || MediaFiles.IsVideo(file))
            {
                media.Add(file);
            }
            else
            {
                throw new UsageException($"'{file}': not a video, image or .txt file (by its extension); rename it or pass a folder.");
            }
        }

        return (media, texts);
    }
}
