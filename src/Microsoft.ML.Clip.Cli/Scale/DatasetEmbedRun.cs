using Microsoft.ML.Clip.Cli.Commands;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Cli.Output;

namespace Microsoft.ML.Clip.Cli.Scale;

/// <summary>
/// One <c>clip embed --format parquet</c> run of one shard: the shard's share of the inputs, what its part and
/// segments already hold (refused if made by another model or settings), batches appended as segments, failed inputs
/// recorded as rows with an <c>error</c> (with <c>--skip-errors</c>), and the part completed at the end.
/// </summary>
internal sealed class DatasetEmbedRun
{
    private readonly CliContext _context;
    private readonly ShardWriter _writer;
    private readonly EmbeddingProvenance _provenance;
    private readonly bool _skipErrors;

    /// <summary>Starts a run on a shard whose writer (and lock) the caller holds.</summary>
    /// <param name="context">Where progress and notes go.</param>
    /// <param name="writer">The shard's writer.</param>
    /// <param name="provenance">What makes this run's embeddings.</param>
    /// <param name="skipErrors">Record inputs that cannot be embedded and go on.</param>
    /// <exception cref="UsageException">The shard holds rows made by another model or settings.</exception>
    public DatasetEmbedRun(CliContext context, ShardWriter writer, EmbeddingProvenance provenance, bool skipErrors)
    {
        _context = context;
        _writer = writer;
        _provenance = provenance;
        _skipErrors = skipErrors;
        foreach (DatasetRow row in writer.Rows)
        {
            if (ProvenanceOf(row).Difference(provenance) is string difference)
            {
                throw new UsageException(
                    $"shard {writer.Shard} of '{writer.Folder}' holds embeddings made differently: {difference} (dataset vs this run, first at '{row.Path}'); "
                    + "resume with the same --model and settings, or choose another --out folder.");
            }
        }
    }

    /// <summary>Rows embedded by this run.</summary>
    public int Added { get; private set; }

    /// <summary>Inputs this run could not embed.</summary>
    public int Failed { get; private set; }

    /// <summary>The shard's rows with an embedding.</summary>
    public int Embedded => _writer.Rows.Count(r => r.Embedding is not null);

    /// <summary>The shard's rows recorded as failed.</summary>
    public int Errors => _writer.Rows.Count(r => r.Embedding is null);

    /// <summary>The inputs of this shard still to embed: not embedded, and not failed before (unless <paramref name="retryErrors"/>).</summary>
    /// <param name="inputs">All inputs of the command line (canonical, distinct), whichever shard they belong to.</param>
    /// <param name="retryErrors">Try the recorded failures again.</param>
    public List<string> Select(IReadOnlyList<string> inputs, bool retryErrors)
    {
        List<string> mine = inputs.Where(_writer.Shard.Owns).ToList();
        if (_writer.Shard.Count > 1)
        {
            _context.Error.WriteLine($"clip: shard {_writer.Shard}: {mine.Count} of {inputs.Count} input(s).");
        }

        if (_writer.ResumedFromSegments > 0)
        {
            _context.Error.WriteLine($"clip: resuming: {_writer.ResumedFromSegments} row(s) of a stopped run found in '{_writer.SegmentFolder}'.");
        }

        int done = mine.Count(i => _writer.Find(i)?.Embedding is not null);
        if (done > 0)
        {
            _context.Error.WriteLine($"clip: {done} input(s) already in '{_writer.Folder}', skipped.");
        }

        int failed = mine.Count(i => _writer.Find(i) is { Embedding: null });
        if (failed > 0 && !retryErrors)
        {
            _context.Error.WriteLine($"clip: {failed} input(s) failed in an earlier run (rows with an error in '{_writer.PartPath}'), skipped; --retry-errors tries them again.");
        }

        return mine.Where(i => _writer.Find(i) is not DatasetRow row || (row.Embedding is null && retryErrors)).ToList();
    }

    /// <summary>Embeds the inputs in batches, each saved as a segment, then completes the shard's part.</summary>
    /// <param name="todo">The inputs to embed.</param>
    /// <param name="batchSize">Inputs per model call (and per segment).</param>
    /// <param name="embed">Embeds a batch: one vector per input.</param>
    /// <param name="cancellationToken">Stops between batches (and inside decoding); the segments written stay for the next run.</param>
    public void Embed(IReadOnlyList<string> todo, int batchSize, Func<IReadOnlyList<string>, float[][]> embed, CancellationToken cancellationToken)
    {
        var progress = new ProgressReporter(_context, "embed", todo.Count);
        var embedder = new BatchEmbedder(embed, _skipErrors, _writer.SegmentFolder, $"the 'error' column of '{_writer.PartPath}'");
        for (int start = 0; start < todo.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string[] chunk = todo.Skip(start).Take(batchSize).ToArray();
            var rows = new List<DatasetRow>(chunk.Length);
            foreach ((string input, float[]? vector, string? error) in embedder.Embed(chunk, cancellationToken))
            {
                rows.Add(RowOf(input, vector, error, _provenance));
                if (vector is null)
                {
                    Failed++;
                    _context.Error.WriteLine($"clip: skipped '{input}': {CliApp.OneLine(error!)}");
                }
                else
                {
                    Added++;
                }
            }

            _writer.Append(rows);
            progress.Advance(chunk.Length);
        }

        _writer.Complete();
        progress.Finish();
        if (Failed > 0)
        {
            _context.Error.WriteLine($"clip: {Failed} input(s) could not be embedded; they are rows with an 'error' in '{_writer.PartPath}'.");
        }
    }

    /// <summary>The provenance a row records.</summary>
    /// <param name="row">A dataset row.</param>
    public static EmbeddingProvenance ProvenanceOf(DatasetRow row) =>
        new(row.Model, row.Fingerprint, row.Kind, row.Frames, row.Sampling, row.Template, row.Precision);

    /// <summary>A dataset row of this run.</summary>
    /// <param name="input">The input's canonical path or text.</param>
    /// <param name="vector">Its embedding, or null.</param>
    /// <param name="error">Why there is none, or null.</param>
    /// <param name="provenance">What made it.</param>
    public static DatasetRow RowOf(string input, float[]? vector, string? error, EmbeddingProvenance provenance) =>
        new(input, vector, provenance.Model,
            provenance.Fingerprint ?? throw new ArgumentException("A dataset row needs the model's fingerprint.", nameof(provenance)),
            provenance.Kind, provenance.Frames, provenance.Sampling, provenance.Template, error, provenance.Precision);
}
