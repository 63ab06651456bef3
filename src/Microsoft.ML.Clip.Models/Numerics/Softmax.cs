using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>Numerically stable softmax over rows, vectorised.</summary>
public static class Softmax
{
    /// <summary>Replaces each of <paramref name="rows"/> rows of <paramref name="columns"/> values by its softmax (max subtracted first).</summary>
    /// <param name="values">The rows, row-major.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The row width.</param>
    /// <remarks>A row containing NaN, or whose maximum is infinite (e.g. all <c>-∞</c>), becomes NaN, as in torch.</remarks>
    public static void Rows(Span<float> values, int rows, int columns)
    {
        if (rows < 0 || columns < 0 || values.Length < (long)rows * columns)
        {
            throw new ArgumentException($"Softmax of {rows} rows of {columns} needs {(long)rows * columns} values; got {values.Length}.", nameof(values));
        }

        for (int r = 0; r < rows; r++)
        {
            Row(values.Slice(r * columns, columns));
        }
    }

    /// <summary>Replaces <paramref name="row"/> by its softmax: <c>e^(x - max) / Σ e^(x - max)</c>.</summary>
    /// <param name="row">The values.</param>
    /// <remarks>A row containing NaN, or whose maximum is infinite (e.g. all <c>-∞</c>), becomes NaN, as in torch.</remarks>
    public static void Row(Span<float> row) => Row(row, 1f, Avx512F.IsSupported);

    /// <summary>
    /// Replaces <paramref name="row"/> by <c>softmax(scale·x)</c> = <c>e^(scale·x - scale·max) / Σ</c>, folding the
    /// scale into the exponent's FMA (one pass less than scaling first); with 512-bit vectors or <see cref="Vector{T}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Row(Span<float> row, float scale, bool wide)
    {
        if (row.IsEmpty)
        {
            return;
        }

        if (!(scale > 0f))
        {
            // The fold needs max(scale·x) = scale·max(x); otherwise scale first.
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, scale, row);
            scale = 1f;
        }

        (float max, bool hasNaN) = wide ? MaxAndNaNAvx512(row) : MaxAndNaN(row);
        if (hasNaN || float.IsInfinity(max))
        {
            row.Fill(float.NaN);
            return;
        }

        // (TensorPrimitives.Max/Multiply cost ~200 ns each on a 257-wide row here, more than the exponentials: own loops.)
        if (wide)
        {
            float sum = ExponentiateAvx512(row, scale, scale * max);
            ScaleAvx512(row, 1f / sum);
        }
        else
        {
            float sum = Exponentiate(row, scale, scale * max);
            Scale(row, 1f / sum);
        }
    }

    private static void Scale(Span<float> row, float factor)
    {
        int count = Vector<float>.Count;
        var f = new Vector<float>(factor);
        int i = 0;
        for (; i <= row.Length - count; i += count)
        {
            (new Vector<float>(row[i..]) * f).CopyTo(row[i..]);
        }

        for (; i < row.Length; i++)
        {
            row[i] *= factor;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleAvx512(Span<float> row, float factor)
    {
        Vector512<float> f = Vector512.Create(factor);
        ref float start = ref MemoryMarshal.GetReference(row);
        int i = 0;
        for (; i <= row.Length - 16; i += 16)
        {
            ref float at = ref Unsafe.Add(ref start, i);
            (Vector512.LoadUnsafe(ref at) * f).StoreUnsafe(ref at);
        }

        for (; i < row.Length; i++)
        {
            row[i] *= factor;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (float Max, bool HasNaN) MaxAndNaNAvx512(ReadOnlySpan<float> row)
    {
        ref float start = ref MemoryMarshal.GetReference(row);
        Vector512<float> best = Vector512.Create(float.NegativeInfinity);
        Vector512<float> nan = Vector512<float>.Zero;
        int i = 0;
        for (; i <= row.Length - 16; i += 16)
        {
            Vector512<float> v = Vector512.LoadUnsafe(ref Unsafe.Add(ref start, i));
            best = Avx512F.Max(best, v);
            nan |= ~Vector512.Equals(v, v);
        }

        float max = float.NegativeInfinity;
        for (int lane = 0; lane < 16; lane++)
        {
            max = MathF.Max(max, best.GetElement(lane));
        }

        bool hasNaN = nan != Vector512<float>.Zero;
        for (; i < row.Length; i++)
        {
            max = MathF.Max(max, row[i]);
            hasNaN |= float.IsNaN(row[i]);
        }

        return (max, hasNaN);
    }

    /// <summary>The largest value (plain vector max) and whether any value is NaN.</summary>
    private static (float Max, bool HasNaN) MaxAndNaN(ReadOnlySpan<float> row)
    {
        int count = Vector<float>.Count;
        int i = 0;
        float max = float.NegativeInfinity;
        bool hasNaN = false;
        if (row.Length >= count)
        {
            var best = new Vector<float>(float.NegativeInfinity);
            Vector<int> nan = Vector<int>.Zero;
            for (; i <= row.Length - count; i += count)
            {
                var v = new Vector<float>(row[i..]);
                best = Vector.Max(best, v);
                nan |= ~Vector.Equals(v, v);
            }

            for (int lane = 0; lane < count; lane++)
            {
                max = MathF.Max(max, best[lane]);
            }

            hasNaN = nan != Vector<int>.Zero;
        }

        for (; i < row.Length; i++)
        {
            max = MathF.Max(max, row[i]);
            hasNaN |= float.IsNaN(row[i]);
        }

        return (max, hasNaN);
    }

    /// <summary>Replaces each x by <c>e^(scale·x - shift)</c> and returns their sum.</summary>
    private static float Exponentiate(Span<float> row, float scale, float shift)
    {
        int count = Vector<float>.Count;
        var s = new Vector<float>(scale);
        var m = new Vector<float>(-shift);
        Vector<float> acc = Vector<float>.Zero;
        int i = 0;
        for (; i <= row.Length - count; i += count)
        {
            Vector<float> e = VectorMath.Exp(VectorMath.MultiplyAdd(new Vector<float>(row[i..]), s, m));
            e.CopyTo(row[i..]);
            acc += e;
        }

        float sum = Vector.Sum(acc);
        if (i < row.Length)
        {
            // The tail through a padded vector (-∞ → e = 0), so it uses the same exp as the body.
            Span<float> tail = stackalloc float[count];
            tail.Fill(float.NegativeInfinity);
            row[i..].CopyTo(tail);
            Vector<float> e = VectorMath.Exp(VectorMath.MultiplyAdd(new Vector<float>(tail), s, m));
            e.CopyTo(tail);
            sum += Vector.Sum(e);
            tail[..(row.Length - i)].CopyTo(row[i..]);
        }

        return sum;
    }

    /// <summary><see cref="Exponentiate"/> with 512-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ExponentiateAvx512(Span<float> row, float scale, float shift)
    {
        Vector512<float> s = Vector512.Create(scale);
        Vector512<float> m = Vector512.Create(-shift);
        Vector512<float> acc = Vector512<float>.Zero;
        ref float start = ref MemoryMarshal.GetReference(row);
        int i = 0;
        for (; i <= row.Length - 16; i += 16)
        {
            ref float at = ref Unsafe.Add(ref start, i);
            Vector512<float> e = VectorMath512.Exp(Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref at), s, m));
            e.StoreUnsafe(ref at);
            acc += e;
        }

        float sum = Vector512.Sum(acc);
        if (i < row.Length)
        {
            Span<float> tail = stackalloc float[16];
            tail.Fill(float.NegativeInfinity);
            row[i..].CopyTo(tail);
            Vector512<float> e = VectorMath512.Exp(Avx512F.FusedMultiplyAdd(Vector512.Create<float>(tail), s, m));
            e.CopyTo(tail);
            sum += Vector512.Sum(e);
            tail[..(row.Length - i)].CopyTo(row[i..]);
        }

        return sum;
    }
}
