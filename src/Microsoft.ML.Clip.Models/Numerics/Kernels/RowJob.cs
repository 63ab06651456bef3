using System.Runtime.CompilerServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// Row-wise element-wise work split over the worker pool: an optional residual add (<c>sum = residual + update</c>)
/// and an optional layer norm of the row. Each row is computed by one thread with the same operations as the
/// sequential path, so results are bit-identical for any thread count.
/// </summary>
/// <remarks>
/// Output row <c>r</c> reads input row <c>(r / GroupRows)·InputGroupRows + r % GroupRows</c>: with
/// <c>InputGroupRows = GroupRows + 1</c> it skips one row after each group (X-CLIP's message token, appended to each
/// frame's tokens, is dropped this way without a copy).
/// </remarks>
internal sealed unsafe class RowJob : ParallelJob
{
    [ThreadStatic]
    private static RowJob? t_job;

    private float* _input;
    private float* _update;
    private float* _sum;
    private float* _output;
    private LayerNorm? _norm;
    private int _width;
    private int _rows;
    private int _groupRows;
    private int _inputGroupRows;
    private int _rowsPerItem;

    /// <summary>
    /// For each of <paramref name="rows"/> rows of <paramref name="width"/>: <c>sum = input + update</c> when
    /// <paramref name="update"/> is not null (then the norm reads <c>sum</c>), and <c>output = norm(row)</c> when
    /// <paramref name="norm"/> is not null. Buffers may be the same memory when rows map one to one.
    /// </summary>
    public static void Run(
        float* input, float* update, float* sum, float* output, LayerNorm? norm, int width, int rows, int groupRows, int inputGroupRows, int maxThreads)
    {
        if (rows == 0)
        {
            return;
        }

        RowJob job = t_job ??= new RowJob();
        job._input = input;
        job._update = update;
        job._sum = sum;
        job._output = output;
        job._norm = norm;
        job._width = width;
        job._rows = rows;
        job._groupRows = groupRows;
        job._inputGroupRows = inputGroupRows;
        int threads = WorkerPool.ThreadsForValues((long)rows * width, maxThreads);
        job._rowsPerItem = WorkerPool.RowsPerItem(rows, threads);
        int items = (rows + job._rowsPerItem - 1) / job._rowsPerItem;
        try
        {
            WorkerPool.Run(job, items, threads);
        }
        finally
        {
            job._norm = null;
        }
    }

    /// <summary><c>sum = a + b</c> over rows of <paramref name="width"/>, split over up to <paramref name="maxThreads"/> threads.</summary>
    /// <param name="a">The first operand, <c>[rows, width]</c>.</param>
    /// <param name="b">The second operand, <c>[rows, width]</c>.</param>
    /// <param name="sum">The result (may be <paramref name="a"/> or <paramref name="b"/>).</param>
    /// <param name="width">Values per row.</param>
    /// <param name="maxThreads">Threads to split the rows over.</param>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> sum, int width, int maxThreads)
    {
        int rows = width == 0 ? 0 : a.Length / width;
        if (a.Length != (long)rows * width || b.Length < a.Length || sum.Length < a.Length)
        {
            throw new ArgumentException($"Row add of width {width}: operands of {a.Length} and {b.Length} values and a result of {sum.Length} do not make whole equal rows.");
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* ps = sum)
        {
            Run(pa, pb, ps, null, null, width, rows, rows, rows, maxThreads);
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int index)
    {
        int width = _width;
        int end = Math.Min(_rows, (index + 1) * _rowsPerItem);
        for (int r = index * _rowsPerItem; r < end; r++)
        {
            long inputRow = ((long)(r / _groupRows) * _inputGroupRows) + (r % _groupRows);
            var x = new ReadOnlySpan<float>(_input + (inputRow * width), width);
            if (_update != null)
            {
                var sum = new Span<float>(_sum + ((long)r * width), width);
                TensorPrimitives.Add(x, new ReadOnlySpan<float>(_update + (inputRow * width), width), sum);
                x = sum;
            }

            _norm?.NormalizeRow(x, new Span<float>(_output + ((long)r * width), width));
        }
    }
}
