using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Cli.Output;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// One <c>clip embed</c> run over an output it holds the lock of: which inputs are still to do, the batches, inputs
/// that cannot be embedded (an error stops the run, or with <c>--skip-errors</c> is recorded in
/// <see cref="EmbeddingErrors"/>), and an atomic save of the output and its error file after every batch.
/// </summary>
internal sealed class EmbedRun
{
    private readonly CliContext _context;
    private readonly string _output;
    private readonly bool _skipErrors;

    /// <summary>Starts a run.</summary>
    /// <param name="context">Where progress and notes go.</param>
    /// <param name="output">The embeddings file.</param>
    /// <param name="file">Its rows so far (empty for a new file).</param>
    /// <param name="errors">Its recorded errors so far.</param>
    /// <param name="skipErrors">Record inputs that cannot be embedded and go on.</param>
    public EmbedRun(CliContext context, string output, EmbeddingFile file, EmbeddingErrors errors, bool skipErrors)
    {
        _context = context;
        _output = output;
        File = file;
        Errors = errors;
        _skipErrors = skipErrors;
    }

    /// <summary>The rows (existing and new).</summary>
    public EmbeddingFile File { get; }

    /// <summary>The inputs that could not be embedded (this run's and earlier runs').</summary>
    public EmbeddingErrors Errors { get; }

    /// <summary>Rows added by this run.</summary>
    public int Added { get; private set; }

    /// <summary>The inputs still to embed: not in the file, and not recorded as failed (unless <paramref name="retryErrors"/>).</summary>
    /// <param name="inputs">All inputs of the command line (canonical, distinct).</param>
    /// <param name="retryErrors">Try the recorded failures again.</param>
    public List<string> Select(IReadOnlyList<string> inputs, bool retryErrors)
    {
        int done = inputs.Count(File.Contains);
        if (done > 0)
        {
            _context.Error.WriteLine($"clip: {done} input(s) already in '{_output}', skipped.");
        }

        List<string> failed = inputs.Where(i => !File.Contains(i) && Errors.Contains(i)).ToList();
        if (failed.Count > 0 && !retryErrors)
        {
            _context.Error.WriteLine($"clip: {failed.Count} input(s) failed in an earlier run (listed in '{Errors.Path}'), skipped; --retry-errors tries them again.");
        }

        return inputs.Where(i => !File.Contains(i) && (retryErrors || !Errors.Contains(i))).ToList();
    }

    /// <summary>Embeds the inputs in batches, saving after each.</summary>
    /// <param name="todo">The inputs to embed.</param>
    /// <param name="batchSize">Inputs per model call.</param>
    /// <param name="embed">Embeds a batch: one vector per input.</param>
    /// <param name="cancellationToken">Stops between batches (and inside decoding).</param>
    public void Embed(IReadOnlyList<string> todo, int batchSize, Func<IReadOnlyList<string>, float[][]> embed, CancellationToken cancellationToken)
    {
        var progress = new ProgressReporter(_context, "embed", todo.Count);
        var embedder = new BatchEmbedder(embed, _skipErrors, _output, Errors.Path);
        int failedBefore = Errors.Count;
        for (int start = 0; start < todo.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string[] chunk = todo.Skip(start).Take(batchSize).ToArray();
            foreach ((string input, float[]? vector, string? error) in embedder.Embed(chunk, cancellationToken))
            {
                if (vector is not null)
                {
                    File.Add(input, vector);
                    Errors.Remove(input);
                    Added++;
                }
                else
                {
                    Errors.Set(input, error!);
                    _context.Error.WriteLine($"clip: skipped '{input}': {CliApp.OneLine(error!)}");
                }
            }

            if (File.Count > 0)
            {
                File.Save(_output);
            }

            Errors.Save();
            progress.Advance(chunk.Length);
        }

        progress.Finish();
        if (Errors.Count > failedBefore)
        {
            _context.Error.WriteLine($"clip: {Errors.Count - failedBefore} input(s) could not be embedded; they are listed with their errors in '{Errors.Path}'.");
        }
    }
}
