using System.Runtime.CompilerServices;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// The row-wise end of the ViT embeddings, in one pass split over the worker pool: in each image's rows
/// <c>[tokens, width]</c> (the patch embeddings after a class slot), row 0 becomes <c>class + position[0]</c>, row
/// <c>j</c> becomes <c>row + position[j]</c>; then, when a norm is given, each row is replaced by its layer norm (the
/// tower's pre-LayerNorm). Each row is computed by one thread with the same operations as the separate passes (one
/// float add per value, then <see cref="LayerNorm.NormalizeRow"/>), so the results are bit-identical to them.
/// </summary>
internal sealed unsafe class EmbeddingRows : ParallelJob
{
    [ThreadStatic]
    private static EmbeddingRows? t_job;

    private float* _rows;
    private float* _classEmbedding;
    private float* _positions;
    private LayerNorm? _norm;
    private int _tokens;
    private int _width;
    private int _rowCount;
    private int _rowsPerItem;

    /// <summary>Finishes <paramref name="rows"/> <c>[images, tokens, width]</c> in place.</summary>
    /// <param name="rows">The embeddings: in each image, a class slot (overwritten) then the patch embeddings.</param>
    /// <param name="classEmbedding">The class token, <c>[width]</c>.</param>
    /// <param name="positions">The position embeddings, <c>[tokens, width]</c>.</param>
    /// <param name="norm">Null, or the layer norm applied to each finished row in place.</param>
    /// <param name="maxThreads">Threads to split the rows over.</param>
    public static void Finish(Tensor rows, ReadOnlySpan<float> classEmbedding, ReadOnlySpan<float> positions, LayerNorm? norm, int maxThreads)
    {
        int tokens = rows.Dim(1), width = rows.Dim(2);
        if (classEmbedding.Length != width || positions.Length != tokens * width || (norm is not null && norm.Width != width))
        {
            throw new ArgumentException(
                $"Embeddings {rows} need a class token of {width} values, {tokens}×{width} position values and a norm of that width; "
                + $"got {classEmbedding.Length}, {positions.Length} and {norm?.Width.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}.");
        }

        EmbeddingRows job = t_job ??= new EmbeddingRows();
        int rowCount = rows.Dim(0) * tokens;
        int threads = WorkerPool.ThreadsForValues(rows.Length, maxThreads);
        job._rowsPerItem = WorkerPool.RowsPerItem(rowCount, threads);
        job._tokens = tokens;
        job._width = width;
        job._rowCount = rowCount;
        job._norm = norm;
        fixed (float* target = rows.Span)
        fixed (float* cls = classEmbedding)
        fixed (float* position = positions)
        {
            job._rows = target;
            job._classEmbedding = cls;
            job._positions = position;
            try
            {
                WorkerPool.Run(job, (rowCount + job._rowsPerItem - 1) / job._rowsPerItem, threads);
            }
            finally
            {
                job._norm = null;
                job._rows = null;
                job._classEmbedding = null;
                job._positions = null;
            }
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int index)
    {
        int width = _width;
        int end = Math.Min(_rowCount, (index + 1) * _rowsPerItem);
        for (int r = index * _rowsPerItem; r < end; r++)
        {
            int token = r % _tokens;
            var row = new Span<float>(_rows + ((long)r * width), width);
            var position = new ReadOnlySpan<float>(_positions + ((long)token * width), width);
            if (token == 0)
            {
                TensorPrimitives.Add(new ReadOnlySpan<float>(_classEmbedding, width), position, row);
            }
            else
            {
                TensorPrimitives.Add(row, position, row);
            }

            _norm?.NormalizeRow(row, row);
        }
    }
}
