using System.Runtime.CompilerServices;
using Microsoft.ML.Clip.Numerics.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// Appends one token to each sequence, the token given as a sum: <c>result[i, :length] = x[i]</c> and
/// <c>result[i, length] = token[i] + addend[i]</c> (one float add per value). Sequences are split over the worker pool.
/// </summary>
internal sealed unsafe class AppendTokenJob : ParallelJob
{
    [ThreadStatic]
    private static AppendTokenJob? t_job;

    private float* _x;
    private float* _token;
    private float* _addend;
    private float* _result;
    private int _length;
    private int _width;

    /// <summary><c>x [n, length, width]</c>, <c>token</c> and <c>addend</c> <c>[n, width]</c> → <c>result [n, length + 1, width]</c>.</summary>
    public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> token, ReadOnlySpan<float> addend, Span<float> result, int n, int length, int width, int maxThreads)
    {
        long values = (long)n * (length + 1) * width;
        if (x.Length < (long)n * length * width || token.Length < (long)n * width || addend.Length < (long)n * width || result.Length < values)
        {
            throw new ArgumentException(
                $"Appending a token to {n} sequences of {length}×{width} needs {(long)n * length * width}, {(long)n * width} and {(long)n * width} input values "
                + $"and {values} output values; got {x.Length}, {token.Length}, {addend.Length} and {result.Length}.");
        }

        AppendTokenJob job = t_job ??= new AppendTokenJob();
        job._length = length;
        job._width = width;
        fixed (float* px = x)
        fixed (float* pt = token)
        fixed (float* pa = addend)
        fixed (float* pr = result)
        {
            job._x = px;
            job._token = pt;
            job._addend = pa;
            job._result = pr;
            try
            {
                WorkerPool.Run(job, n, WorkerPool.ThreadsForValues(values, maxThreads));
            }
            finally
            {
                job._x = job._token = job._addend = job._result = null;
            }
        }
    }

    /// <summary>Sequence <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int index)
    {
        int length = _length, width = _width;
        long source = (long)index * length * width, target = (long)index * (length + 1) * width;
        new ReadOnlySpan<float>(_x + source, length * width).CopyTo(new Span<float>(_result + target, length * width));
        TensorPrimitives.Add(
            new ReadOnlySpan<float>(_token + ((long)index * width), width),
            new ReadOnlySpan<float>(_addend + ((long)index * width), width),
            new Span<float>(_result + target + ((long)length * width), width));
    }
}
