using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Cli.Models;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// <c>clip search</c>: text → video/image retrieval over an embeddings file written by <c>clip embed</c>, ranked by
/// cosine similarity between the query's text embedding and each stored embedding.
/// </summary>
internal static class SearchCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="context">The run's streams and environment.</param>
    public static Command Create(CliContext context)
    {
        var embeddings = new Argument<string>("embeddings") { Description = "An embeddings file from 'clip embed' (.csv, .jsonl or .safetensors)." };
        var query = new Option<string>("--query", "-q") { Description = "The text to search for (any language with AltCLIP).", Required = true, HelpName = "text" };
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

            string path = parse.GetRequiredValue(embeddings);
            EmbeddingFile file = EmbeddingFile.Load(path);
            string? modelArgument = parse.GetValue(model);
            if (string.IsNullOrEmpty(modelArgument) && string.IsNullOrEmpty(file.Model))
            {
                throw new UsageException($"'{path}' does not record which model made it; pass --model.");
            }

            using ICliModel loaded = ModelLoader.Load(context, modelArgument, file.Model, cancellationToken);
            var queryModel = new EmbeddingProvenance(loaded.Name, ModelFingerprint.Compute(loaded.Source.Folder), EmbeddingProvenance.TextKind, null, null, null);
            if (file.Provenance.Fingerprint is null)
            {
                context.Error.WriteLine($"clip: '{path}' does not record a fingerprint of its model (written by an older clip): it cannot be checked against '{loaded.Name}'.");
            }

            if (file.Provenance.Difference(queryModel, compareSettings: false) is string difference)
            {
                throw new UsageException(
                    $"'{path}' was embedded by another model than the query's: {difference} (file vs query); search with the model that made the file (leave out --model to use it).");
            }

            if (loaded.Dimension != file.Dimension)
            {
                throw new InvalidDataException($"'{path}' holds {file.Dimension}-dimensional embeddings but '{loaded.Name}' makes {loaded.Dimension}-dimensional ones; search with the model that made the file.");
            }

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

            float[] queryVector = loaded.EmbedTexts([parse.GetRequiredValue(query)])[0];
            RetrievalHit[] hits = new EmbeddingIndex(usable.Select(i => file.Vectors[i]).ToArray()).Search(queryVector, Math.Min(k, usable.Length));
            context.Out.WriteLine($"{"rank",4}  {"score",7}  input");
            for (int i = 0; i < hits.Length; i++)
            {
                context.Out.WriteLine($"{i + 1,4}  {hits[i].Score.ToString("F4", CultureInfo.InvariantCulture),7}  {file.Inputs[usable[hits[i].Index]]}");
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
