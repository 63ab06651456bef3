using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Clip.Cli.Scale;

/// <summary>One search result: the input and its cosine similarity to the query.</summary>
/// <param name="Path">The input (the dataset's <c>path</c> column).</param>
/// <param name="Score">The cosine similarity, in [−1, 1].</param>
internal readonly record struct DatasetHit(string Path, float Score);

/// <summary>
/// Exact top-k cosine search over the embeddings of Parquet files, held in memory as one unit-norm float matrix per
/// row group (so the size is not bounded by one array's 2³¹ elements) and scored with SIMD dot products, row groups in
/// parallel, each keeping a partial top-k heap.
/// </summary>
/// <remarks>
/// Rows whose embedding is null (failed inputs) or not finite are left out. Ties are broken by the row's position
/// (part order, then row order), so results do not depend on the thread count.
/// </remarks>
internal sealed class DatasetIndex
{
    private readonly List<Block> _blocks;

    private DatasetIndex(List<Block> blocks, int dimension, IReadOnlyList<DatasetRow> provenances, int skipped)
    {
        _blocks = blocks;
        Dimension = dimension;
        Provenances = provenances;
        Skipped = skipped;
        Count = blocks.Sum(b => (long)b.Paths.Length);
        long offset = 0;
        foreach (Block block in blocks)
        {
            block.Offset = offset;
            offset += block.Paths.Length;
        }
    }

    /// <summary>The number of searchable rows.</summary>
    public long Count { get; }

    /// <summary>The embedding size (0 when nothing is searchable).</summary>
    public int Dimension { get; }

    /// <summary>Rows left out: failed inputs (null embedding) and embeddings with NaN or infinite values.</summary>
    public int Skipped { get; }

    /// <summary>One row (embedding dropped) per distinct provenance (model, fingerprint, kind, frames, sampling, template, precision) found.</summary>
    public IReadOnlyList<DatasetRow> Provenances { get; }

    /// <summary>Reads the embeddings of <paramref name="files"/> (in parallel, kept in the given order).</summary>
    /// <param name="files">Parquet embeddings files (a dataset's parts).</param>
    /// <exception cref="InvalidDataException">A file is unreadable, or the files' embedding sizes differ.</exception>
    public static DatasetIndex Load(IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var perFile = new (List<Block> Blocks, int Dimension, List<DatasetRow> Provenances, int Skipped)[files.Count];
        try
        {
            Parallel.For(0, files.Count, f => LoadFile(files[f], perFile, f));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // One file's own error (an InvalidDataException naming it), not the AggregateException around it.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        int common = 0;
        var all = new List<Block>();
        var distinct = new List<DatasetRow>();
        for (int f = 0; f < files.Count; f++)
        {
            var (blocks, dimension, provenances, _) = perFile[f];
            if (blocks.Any(b => b.Paths.Length > 0))
            {
                if (common != 0 && dimension != common)
                {
                    throw new InvalidDataException($"'{files[f]}' holds {dimension}-value embeddings, '{files[0]}' {common}-value ones: the parts come from different models.");
                }

                common = dimension;
            }

            all.AddRange(blocks.Where(b => b.Paths.Length > 0));
            distinct.AddRange(provenances.Where(p => !distinct.Exists(d => d.SameProvenance(p))));
        }

        return new DatasetIndex(all, common, distinct, perFile.Sum(p => p.Skipped));
    }

    private static void LoadFile(string file, (List<Block> Blocks, int Dimension, List<DatasetRow> Provenances, int Skipped)[] perFile, int index)
    {
        var blocks = new List<Block>();
        var provenances = new List<DatasetRow>();
        int skipped = 0;
        int dimension = ParquetEmbeddings.ReadBlocks(file, block =>
        {
            blocks.Add(Searchable(block, ref skipped));
            for (int i = 0; i < block.Count; i++)
            {
                // Provenance columns are dictionary-encoded by Parquet: few distinct values, so a linear scan is short.
                var row = new DatasetRow(block.Paths[i], null, block.Models[i], block.Fingerprints[i], block.Kinds[i], block.Frames[i], block.Samplings[i], block.Templates[i], null, block.Precisions?[i]);
                if (!provenances.Exists(p => p.SameProvenance(row)))
                {
                    provenances.Add(row);
                }
            }
        });
        perFile[index] = (blocks, dimension, provenances, skipped);
    }

    /// <summary>The <paramref name="k"/> rows most similar to <paramref name="query"/>, best first.</summary>
    /// <param name="query">The query embedding (any norm).</param>
    /// <param name="k">How many (at most <see cref="Count"/> are returned).</param>
    public DatasetHit[] Search(ReadOnlySpan<float> query, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (query.Length != Dimension)
        {
            throw new ArgumentException($"The dataset holds {Dimension}-value embeddings, the query has {query.Length} values: embed both with the same model.", nameof(query));
        }

        float[] q = EmbeddingMath.Normalized(query);
        var partial = new List<(float Score, long Position, string Path)>[_blocks.Count];
        Parallel.For(0, _blocks.Count, b => partial[b] = _blocks[b].Top(q, k));

        // Merge the per-block winners; the same order rule as inside a block.
        return partial.SelectMany(p => p)
            .OrderByDescending(h => h.Score).ThenBy(h => h.Position)
            .Take(k)
            .Select(h => new DatasetHit(h.Path, h.Score))
            .ToArray();
    }

    // Keeps the rows with a finite embedding, normalised to unit length in place.
    private static Block Searchable(EmbeddingBlock block, ref int skipped)
    {
        int d = block.Dimension;
        var paths = new List<string>(block.Count);
        int kept = 0;
        float[] matrix = block.Matrix;
        for (int i = 0; i < block.Count; i++)
        {
            int e = block.EmbeddingOfRow[i];
            if (e < 0 || !IsFinite(matrix.AsSpan(e * d, d)))
            {
                skipped++;
                continue;
            }

            Span<float> target = matrix.AsSpan(kept * d, d);
            if (kept != e)
            {
                matrix.AsSpan(e * d, d).CopyTo(target);
            }

            EmbeddingMath.NormalizeInPlace(target);
            paths.Add(block.Paths[i]);
            kept++;
        }

        return new Block(paths.ToArray(), matrix, d);
    }

    private static bool IsFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class Block(string[] paths, float[] matrix, int dimension)
    {
        public string[] Paths { get; } = paths;

        public long Offset { get; set; }

        // The best k rows of this block: a min-heap whose root is the worst kept row (lower score, or later position).
        public List<(float Score, long Position, string Path)> Top(float[] query, int k)
        {
            var heap = new PriorityQueue<int, (float Score, long NegPosition)>(Math.Min(k, Paths.Length) + 1);
            for (int i = 0; i < Paths.Length; i++)
            {
                float score = Dot(matrix.AsSpan(i * dimension, dimension), query);
                if (heap.Count < k)
                {
                    heap.Enqueue(i, (score, -(Offset + i)));
                }
                else if (heap.TryPeek(out _, out var worst) && score > worst.Score)
                {
                    // A later row loses a tie, so only a strictly larger score enters.
                    heap.EnqueueDequeue(i, (score, -(Offset + i)));
                }
            }

            var result = new List<(float, long, string)>(heap.Count);
            while (heap.TryDequeue(out int i, out var priority))
            {
                result.Add((priority.Score, Offset + i, Paths[i]));
            }

            return result;
        }

        // ⟨row, query⟩, compiled optimised on its first call. A `clip search` run calls it once per row and query, and it
        // is the whole of a query's time: through `TensorPrimitives.Dot` the first ~10 queries of a run took 4× as long
        // (its generic vector code runs unoptimised until the runtime recompiles it in the background).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static float Dot(ReadOnlySpan<float> row, ReadOnlySpan<float> query)
        {
            // Two vector sums for the adds' latency; query is as long as row (checked by Search).
            int width = Vector<float>.Count, i = 0;
            Vector<float> s0 = default, s1 = default;
            ref float r = ref MemoryMarshal.GetReference(row);
            ref float q = ref MemoryMarshal.GetReference(query);
            for (; i + (2 * width) <= row.Length; i += 2 * width)
            {
                s0 += Vector.LoadUnsafe(ref r, (nuint)i) * Vector.LoadUnsafe(ref q, (nuint)i);
                s1 += Vector.LoadUnsafe(ref r, (nuint)(i + width)) * Vector.LoadUnsafe(ref q, (nuint)(i + width));
            }

            float sum = Vector.Sum(s0 + s1);
            for (; i < row.Length; i++)
            {
                sum += row[i] * query[i];
            }

            return sum;
        }
    }
}
