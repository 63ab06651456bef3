using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Cli.Models;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.Cli.Scale;
using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// <c>clip search</c>: text → video/image retrieval over an embeddings file written by <c>clip embed</c>, ranked by
/// cosine similarity between the query's text embedding and each stored embedding. A folder is read as a Parquet
/// dataset (<c>clip embed --format parquet</c>, all its parts) and searched with <see cref="DatasetIndex"/>.
/// </summary>
internal static class SearchCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="context">The run's streams and environment.</param>
    public static Command Create(CliContext context)
    {
        var embeddings = new Argument<string>("embeddings") { Description = "An embeddings file from 'clip embed' (.csv, .jsonl or .safetensors), or a Parquet dataset folder (--format parquet: all its part files)." };
        var query = new Option<string[]>("--query", "-q")
        {
            Description = "The text to search for (any language with AltCLIP). Repeat it to run several searches over one load of the embeddings.",
            Required = true,
            HelpName = "text",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var top = new Option<int>("--top", "-k") { Description = "How many results to show.", DefaultValueFactory = _ => 10, HelpName = "K" };
        Option<string?> model = CommonOptions.Model("The model that embeds the query. Default: the model recorded in the embeddings file (it must be the one that made them).");

        var command = new Command("search", "Find the videos or images in an embeddings file that best match a text query.")
        {
            embeddings, query, top, model,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            int k = parse.GetValue(top);
            if (k < 1)
            {
                throw new UsageException($"--top must be at least 1, not {k}.");
            }

            string[] queries = parse.GetRequiredValue(query);
            string path = parse.GetRequiredValue(embeddings);
            if (ParquetDataset.IsDataset(path))
            {
                return Task.FromResult(SearchDataset(context, path, queries, k, parse.GetValue(model), cancellationToken));
            }

            EmbeddingFile file = EmbeddingFile.Load(path);
            string? modelArgument = parse.GetValue(model);
            if (string.IsNullOrEmpty(modelArgument) && string.IsNullOrEmpty(file.Model))
            {
                throw new UsageException($"'{path}' does not record which model made it; pass --model.");
            }

            using ICliModel loaded = LoadQueryModel(context, path, modelArgument, file.Provenance, file.Dimension, cancellationToken);

            // Rows with NaN or infinite values have no meaningful similarity: they are never ranked.
            int[] usable = Enumerable.Range(0, file.Count).Except(file.NonFiniteRows()).ToArray();
            if (usable.Length < file.Count)
            {
                string first = file.Inputs[file.NonFiniteRows().First()];
                context.Error.WriteLine($"clip: {file.Count - usable.Length} embedding(s) in '{path}' hold NaN or infinite values and are left out (the first: '{first}').");
            }

            if (usable.Length == 0)
            {
                throw new InvalidDataException($"'{path}' holds no embedding without NaN or infinite values; re-embed its inputs.");
            }

            var index = new EmbeddingIndex(usable.Select(i => file.Vectors[i]).ToArray());
            float[][] queryVectors = loaded.EmbedTexts(queries);
            for (int q = 0; q < queries.Length; q++)
            {
                RetrievalHit[] hits = index.Search(queryVectors[q], Math.Min(k, usable.Length));
                Print(context, queries, q, hits.Select(h => (file.Inputs[usable[h.Index]], h.Score)));
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Searches every part of a Parquet dataset (<c>clip embed --format parquet</c>).</summary>
    private static int SearchDataset(CliContext context, string folder, string[] queries, int k, string? modelArgument, CancellationToken cancellationToken)
    {
        ParquetDataset dataset = ParquetDataset.Open(folder);
        if (dataset.Problems() is string problems)
        {
            context.Error.WriteLine($"clip: '{folder}' is incomplete: {problems}; searching the {dataset.Parts.Count} finished part(s).");
        }

        DatasetIndex index = DatasetIndex.Load(dataset.Parts.Select(p => p.Path).ToArray());
        if (index.Skipped > 0)
        {
            context.Error.WriteLine($"clip: {index.Skipped} row(s) of '{folder}' have no embedding (failed inputs) or NaN/infinite values and are left out.");
        }

        if (index.Count == 0)
        {
            throw new InvalidDataException($"'{folder}' holds no searchable embedding; embed inputs into it with 'clip embed … --out {folder} --format parquet'.");
        }

        if (index.Provenances.Count > 1)
        {
            string first = DatasetEmbedRun.ProvenanceOf(index.Provenances[0]).Difference(DatasetEmbedRun.ProvenanceOf(index.Provenances[1])) ?? "the settings";
            throw new InvalidDataException(
                $"'{folder}' mixes embeddings made differently ({first}, e.g. '{index.Provenances[0].Path}' vs '{index.Provenances[1].Path}'); search the parts of one run.");
        }

        using ICliModel loaded = LoadQueryModel(context, folder, modelArgument, DatasetEmbedRun.ProvenanceOf(index.Provenances[0]), index.Dimension, cancellationToken);
        float[][] queryVectors = loaded.EmbedTexts(queries);
        for (int q = 0; q < queries.Length; q++)
        {
            Print(context, queries, q, index.Search(queryVectors[q], k).Select(h => (h.Path, h.Score)));
        }

        return ExitCodes.Success;
    }

    /// <summary>Loads the model that embeds the query (by default the one recorded) and checks it made the embeddings.</summary>
    private static ICliModel LoadQueryModel(
        CliContext context, string path, string? modelArgument, EmbeddingProvenance recorded, int dimension, CancellationToken cancellationToken)
    {
        // The query is embedded in the precision the embeddings were made in (float32 for files that do not record it).
        Modeling.ComputePrecision precision = recorded.EffectivePrecision == EmbeddingProvenance.Int8 ? Modeling.ComputePrecision.Int8 : Modeling.ComputePrecision.Float32;
        ICliModel loaded = ModelLoader.Load(context, modelArgument, recorded.Model, cancellationToken, precision: precision);
        try
        {
            var queryModel = new EmbeddingProvenance(
                loaded.Name, CheckpointFingerprint.Compute(loaded.Source.Folder), EmbeddingProvenance.TextKind, null, null, null, CommonOptions.PrecisionName(precision));
            if (recorded.Fingerprint is null)
            {
                context.Error.WriteLine($"clip: '{path}' does not record a fingerprint of its model (written by an older clip): it cannot be checked against '{loaded.Name}'.");
            }

            if (recorded.Difference(queryModel, compareSettings: false) is string difference)
            {
                throw new UsageException(
                    $"'{path}' was embedded by another model than the query's: {difference} (file vs query); search with the model that made the file (leave out --model to use it).");
            }

            if (loaded.Dimension != dimension)
            {
                throw new InvalidDataException($"'{path}' holds {dimension}-dimensional embeddings but '{loaded.Name}' makes {loaded.Dimension}-dimensional ones; search with the model that made the file.");
            }

            return loaded;
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    // One table per query; with several queries each is headed by its query and followed by an empty line.
    private static void Print(CliContext context, string[] queries, int q, IEnumerable<(string Input, float Score)> hits)
    {
        if (queries.Length > 1)
        {
            context.Out.WriteLine($"query: {queries[q]}");
        }

        context.Out.WriteLine($"{"rank",4}  {"score",7}  input");
        int rank = 0;
        foreach ((string input, float score) in hits)
        {
            context.Out.WriteLine($"{++rank,4}  {score.ToString("F4", CultureInfo.InvariantCulture),7}  {input}");
        }

        if (queries.Length > 1 && q < queries.Length - 1)
        {
            context.Out.WriteLine();
        }
    }
}
