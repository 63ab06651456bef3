using Microsoft.ML.Clip.Cli.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// Embeds one batch of <c>clip embed</c> inputs. An input that cannot be embedded (its file is unreadable, or the model
/// gives NaN or infinite values) stops the run, or with <c>--skip-errors</c> is returned with its error: a failed batch
/// is retried input by input to find which ones fail. Shared by the file outputs (<see cref="EmbedRun"/>) and the Parquet
/// datasets (<see cref="Scale.DatasetEmbedRun"/>).
/// </summary>
/// <param name="embed">Embeds a batch: one vector per input.</param>
/// <param name="skipErrors">Return failures rather than throw.</param>
/// <param name="savedIn">Where the rows embedded so far are, for the message that stops a run.</param>
/// <param name="errorsIn">Where <c>--skip-errors</c> records failures, for the same message.</param>
internal sealed class BatchEmbedder(Func<IReadOnlyList<string>, float[][]> embed, bool skipErrors, string savedIn, string errorsIn)
{
    /// <summary>Embeds <paramref name="chunk"/>: for each input, its vector or (with <c>--skip-errors</c>) its error.</summary>
    /// <param name="chunk">The inputs.</param>
    /// <param name="cancellationToken">Stops decoding.</param>
    public IReadOnlyList<(string Input, float[]? Vector, string? Error)> Embed(string[] chunk, CancellationToken cancellationToken)
    {
        float[][] vectors;
        try
        {
            vectors = embed(chunk);
        }
        catch (Exception e) when (e is not (OperationCanceledException or Vision.FfmpegNotFoundException) && !cancellationToken.IsCancellationRequested)
        {
            // (A missing ffmpeg is no input's fault: it stops the run even with --skip-errors.)
            if (!skipErrors)
            {
                throw new InvalidOperationException(
                    $"{CliApp.CommandLineMessage(e)} (the rows embedded so far are saved in '{savedIn}'; add --skip-errors to record inputs that cannot be embedded in '{errorsIn}' and go on)", e);
            }

            // One input of the batch is bad: embed them one by one to find which.
            return chunk.Length == 1 ? [(chunk[0], null, e.Message)] : chunk.SelectMany(input => Embed([input], cancellationToken)).ToArray();
        }

        return chunk.Select((input, i) => Check(input, vectors[i])).ToArray();
    }

    private (string Input, float[]? Vector, string? Error) Check(string input, float[] vector)
    {
        if (vector.All(float.IsFinite))
        {
            return (input, vector, null);
        }

        string error = $"the model gave NaN or infinite values for '{input}' (are its weights damaged?)";
        return skipErrors
            ? (input, null, error)
            : throw new InvalidDataException($"{error}; nothing was written for it. Add --skip-errors to record it in '{errorsIn}' and go on.");
    }
}
