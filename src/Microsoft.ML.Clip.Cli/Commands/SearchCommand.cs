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
            if (loaded.Dimension != file.Dimension)
            {
                throw new InvalidDataException($"'{path}' holds {file.Dimension}-dimensional embeddings but '{loaded.Name}' makes {loaded.Dimension}-dimensional ones; search with the model that made the file.");
            }

            float[] queryVector = loaded.EmbedTexts([parse.GetRequiredValue(query)])[0];
            RetrievalHit[] hits = new EmbeddingIndex(file.Vectors).Search(queryVector, Math.Min(k, file.Count));
            context.Out.WriteLine($"{"rank",4}  {"score",7}  input");
            for (int i = 0; i < hits.Length; i++)
            {
                context.Out.WriteLine($"{i + 1,4}  {hits[i].Score.ToString("F4", CultureInfo.InvariantCulture),7}  {file.Inputs[hits[i].Index]}");
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
