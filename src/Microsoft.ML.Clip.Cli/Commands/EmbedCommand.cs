using System.CommandLine;
using System.Text;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Cli.Models;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.Cli.Scale;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// <c>clip embed</c>: embeds videos, images or the lines of text files into a .csv/.jsonl/.safetensors file. The run
/// holds the output's lock (<see cref="OutputLock"/>), resumes where an earlier run stopped (inputs already in the
/// file are skipped, provided the file was made by the same model and settings: <see cref="EmbeddingProvenance"/>)
/// and rewrites the file atomically after every batch, with progress on standard error. Files are recorded by their
/// absolute path, so a resume from another working directory finds them. With <c>--format parquet</c>, <c>--out</c> is a
/// dataset folder and the run writes one shard's part of it (<c>--shard i/N</c>, <c>--shard-from-env</c>):
/// <see cref="DatasetEmbedRun"/>.
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
            Description = "The embeddings file: .csv, .jsonl or .safetensors (chosen by extension), or with --format parquet a dataset folder. If it exists, its inputs are kept and skipped; "
                + "it must have been made by the same model and settings (--frames, --sampling, --template, --precision).",
            Required = true,
            HelpName = "file",
        };
        var batchSize = new Option<int>("--batch-size", "-b")
        {
            Description = "Inputs per model call (and per atomic save of the output).",
            DefaultValueFactory = _ => 8,
            HelpName = "N",
        };
        var template = new Option<string?>("--template", "-t")
        {
            Description = "For text inputs: the prompt made from each line; {} is replaced by the line, e.g. \"a video of {}\". Default: the line itself.",
            HelpName = "text with {}",
        };
        var skipErrors = new Option<bool>("--skip-errors")
        {
            Description = "Go on when an input cannot be embedded (unreadable file, NaN output): record it with its error in <out>.errors.jsonl "
                + "and count it in the summary. Without it, the first such input stops the run (the rows before it are kept).",
        };
        var retryErrors = new Option<bool>("--retry-errors")
        {
            Description = "Try again the inputs recorded in <out>.errors.jsonl by an earlier run (they are skipped otherwise).",
        };

        var format = new Option<string?>("--format", "-f")
        {
            Description = "parquet: --out is a dataset folder of part-i-of-N.parquet files (one per --shard), readable by Spark, DuckDB and pyarrow; "
                + "failed inputs are rows with an error. Default: the file format of --out's extension (csv, jsonl, safetensors).",
            HelpName = "parquet|csv|jsonl|safetensors",
        };
        format.AcceptOnlyFromAmong("parquet", "csv", "jsonl", "safetensors");
        var shard = new Option<string?>("--shard")
        {
            Description = "Embed only shard i of N (counted from 0) of the inputs, chosen by a stable hash of each input's absolute path, into its own part "
                + "of the --format parquet dataset: N machines given the same inputs and --shard 0/N … N-1/N embed each input once.",
            HelpName = "i/N",
        };
        var shardFromEnv = new Option<bool>("--shard-from-env")
        {
            Description = "Take the shard from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm job array (SLURM_ARRAY_TASK_ID; N from SLURM_ARRAY_TASK_COUNT).",
        };
        var shardCount = new Option<int?>("--shard-count")
        {
            Description = "N for --shard-from-env (a Kubernetes Job's completions; Slurm arrays give it themselves).",
            HelpName = "N",
        };

        Option<int?> frames = CommonOptions.Frames();
        Option<string> sampling = CommonOptions.Sampling("the video's embedding is the mean of its clips' embeddings, one row per video");
        Option<string> precision = CommonOptions.Precision();

        var command = new Command("embed", "Embed videos, images or lines of text into a CSV, JSON lines or safetensors file (resumable).")
        {
            inputs, model, output, batchSize, frames, sampling, template, skipErrors, retryErrors, format, shard, shardFromEnv, shardCount, precision,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            Modeling.ComputePrecision computePrecision = CommonOptions.ParsePrecision(parse.GetValue(precision));
            string precisionName = CommonOptions.PrecisionName(computePrecision);
            int batch = parse.GetValue(batchSize);
            if (batch < 1)
            {
                throw new UsageException($"--batch-size must be at least 1, not {batch}.");
            }

            bool dataset = parse.GetValue(format) == "parquet";
            ShardSpec shardSpec = ParseShard(context, parse.GetValue(shard), parse.GetValue(shardFromEnv), parse.GetValue(shardCount), dataset);
            string outPath = dataset
                ? CheckDatasetFolder(parse.GetRequiredValue(output))
                : CommonOptions.CheckOutputFile("--out", parse.GetRequiredValue(output), "embeddings.csv", p => CheckFileFormat(p, parse.GetValue(format)));
            var (media, texts) = CollectInputs(parse.GetRequiredValue(inputs));
            if (media.Count > 0 && texts.Count > 0)
            {
                throw new UsageException("both media files and .txt files were given: embed them into separate output files (one 'clip embed' run each).");
            }

            if (media.Count == 0 && texts.Count == 0)
            {
                throw new UsageException("nothing to embed: the inputs hold no videos, images or non-empty text lines.");
            }

            string? pattern = parse.GetValue(template);
            if (pattern is not null && media.Count > 0)
            {
                throw new UsageException("--template applies to text inputs (.txt files); videos and images are embedded as they are.");
            }

            if (pattern is not null && !pattern.Contains("{}", StringComparison.Ordinal))
            {
                throw new UsageException($"--template '{pattern}' has no '{{}}' where the text goes, e.g. \"a video of {{}}\".");
            }

            string modelName = string.IsNullOrWhiteSpace(parse.GetValue(model))
                ? (media.Count > 0 ? MediaFiles.DefaultModelFor(media) : ModelDefaults.Image)
                : parse.GetValue(model)!.Trim();

            // One writer at a time: the lock covers reading the existing rows, the temporary files and the renames.
            // A dataset is locked shard by shard (the shard's writer holds its lock).
            using ShardWriter? shardWriter = dataset ? ShardWriter.Open(outPath, shardSpec) : null;
            using OutputLock? outputLock = dataset ? null : OutputLock.Acquire(outPath, "clip embed");
            EmbeddingFile? existing = !dataset && File.Exists(outPath) ? EmbeddingFile.Load(outPath) : null;
            if (existing is { Provenance.IsComplete: false })
            {
                throw new UsageException(
                    $"'{outPath}' does not record how its embeddings were made (it was written by an older clip), so it cannot be resumed safely; embed into a new --out.");
            }

            // What can be compared before the model is resolved (perhaps downloaded) and loaded: kind, sampling, template.
            Vision.FrameSampling frameSampling = CommonOptions.ParseSampling(parse.GetValue(sampling) ?? "uniform");
            if (existing is not null)
            {
                EmbeddingProvenance known = existing.Provenance with
                {
                    Kind = media.Count == 0 ? EmbeddingProvenance.TextKind : existing.Provenance.Kind == EmbeddingProvenance.TextKind ? "video or image" : existing.Provenance.Kind,
                    Frames = media.Count == 0 ? null : parse.GetValue(frames) ?? existing.Provenance.Frames,
                    Sampling = media.Count == 0 ? null : frameSampling.ToString(),
                    Template = media.Count == 0 ? pattern ?? "{}" : null,
                    Precision = precisionName,
                };
                RefuseIfDifferent(outPath, existing, known);
            }

            using ICliModel loaded = ModelLoader.Load(context, modelName, modelName, cancellationToken, frameSampling, parse.GetValue(frames), computePrecision);
            EmbeddingProvenance provenance = media.Count > 0
                ? new EmbeddingProvenance(
                    loaded.Name, CheckpointFingerprint.Compute(loaded.Source.Folder), loaded.IsVideoModel ? EmbeddingProvenance.VideoKind : EmbeddingProvenance.ImageKind,
                    loaded.Frames, loaded.Sampling.ToString(), Template: null, precisionName)
                : new EmbeddingProvenance(loaded.Name, CheckpointFingerprint.Compute(loaded.Source.Folder), EmbeddingProvenance.TextKind, null, null, pattern ?? "{}", precisionName);
            if (existing is not null)
            {
                RefuseIfDifferent(outPath, existing, provenance);
            }

            List<string> all = media.Count > 0 ? media : texts;
            Func<IReadOnlyList<string>, float[][]> embed = media.Count > 0
                ? chunk => loaded.EmbedMedia(chunk, cancellationToken)
                : chunk => loaded.EmbedTexts(chunk.Select(t => (pattern ?? "{}").Replace("{}", t, StringComparison.Ordinal)).ToArray());
            if (shardWriter is not null)
            {
                var shardRun = new DatasetEmbedRun(context, shardWriter, provenance, parse.GetValue(skipErrors));
                shardRun.Embed(shardRun.Select(all, parse.GetValue(retryErrors)), batch, embed, cancellationToken);
                string errors = shardRun.Errors == 0 ? string.Empty : $", {shardRun.Errors} failed";
                context.Out.WriteLine(
                    $"{shardRun.Embedded} embedding(s) of size {loaded.Dimension} in {shardWriter.PartPath} ({shardRun.Added} new{errors})");
                return Task.FromResult(ExitCodes.Success);
            }

            var run = new EmbedRun(context, outPath, existing ?? new EmbeddingFile(provenance), EmbeddingErrors.Load(outPath), parse.GetValue(skipErrors));
            List<string> todo = run.Select(all, parse.GetValue(retryErrors));
            run.Embed(todo, batch, embed, cancellationToken);

            string failed = run.Errors.Count == 0 ? string.Empty : $", {run.Errors.Count} failed: see {run.Errors.Path}";
            context.Out.WriteLine($"{run.File.Count} embedding(s) of size {loaded.Dimension} in {outPath} ({run.Added} new{failed})");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Checks a file <c>--out</c>'s extension: a known format, the one <c>--format</c> names if given.</summary>
    /// <param name="path">The option's value.</param>
    /// <param name="format">The <c>--format</c> value, or null.</param>
    private static void CheckFileFormat(string path, string? format)
    {
        EmbeddingFormats.FromPath(path);
        if (format is not null && !path.EndsWith("." + format, StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"--format {format} but --out '{path}' does not end in .{format}; the file format is the extension's.");
        }
    }

    /// <summary>Checks <c>--out</c> of <c>--format parquet</c>: a folder (created if missing), not a file.</summary>
    private static string CheckDatasetFolder(string path) =>
        File.Exists(path)
            ? throw new UsageException($"--out '{path}' is a file, but --format parquet writes a dataset folder of part files; give a folder, e.g. '{Path.ChangeExtension(path, null)}/'.")
            : path;

    /// <summary>The shard of <c>--shard</c> or <c>--shard-from-env</c>, or the whole input.</summary>
    private static ShardSpec ParseShard(CliContext context, string? shard, bool fromEnvironment, int? count, bool dataset)
    {
        if (shard is not null && fromEnvironment)
        {
            throw new UsageException("give either --shard i/N or --shard-from-env, not both.");
        }

        if (count is not null && !fromEnvironment)
        {
            throw new UsageException("--shard-count goes with --shard-from-env (with --shard, N is the number after the slash).");
        }

        ShardSpec spec = fromEnvironment ? ShardSpec.FromEnvironment(context.GetEnvironmentVariable, count)
            : shard is not null ? ShardSpec.Parse(shard)
            : ShardSpec.All;
        if ((shard is not null || fromEnvironment) && !dataset)
        {
            throw new UsageException("--shard and --shard-from-env write one part of a dataset: add --format parquet and give --out a folder.");
        }

        return spec;
    }

    /// <summary>Refuses to resume a file made otherwise than this run would, saying what differs.</summary>
    private static void RefuseIfDifferent(string outPath, EmbeddingFile existing, EmbeddingProvenance run)
    {
        if (existing.Provenance.Difference(run) is string difference)
        {
            throw new UsageException(
                $"'{outPath}' holds embeddings of '{existing.Model}' made differently: {difference} (file vs this run); "
                + "resume with the same --model and settings, or choose another --out.");
        }
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
                // Recorded by absolute path: resume and deduplication do not depend on the working directory.
                media.Add(Path.GetFullPath(file));
            }
            else
            {
                throw new UsageException($"'{file}': not a video, image or .txt file (by its extension); rename it or pass a folder.");
            }
        }

        return (media.Distinct(StringComparer.Ordinal).ToList(), texts.Distinct(StringComparer.Ordinal).ToList());
    }
}
