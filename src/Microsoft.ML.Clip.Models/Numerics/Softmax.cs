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
    private static unsafe float ExponentiateAvx512(Span<float> row, float scale, float shift)
    {
        Vector512<float> s = Vector512.Create(scale);
        Vector512<float> m = Vector512.Create(-shift);
        int whole = row.Length & ~15;
        float sum;
        fixed (float* start = row)
        {
            sum = Vector512.Sum(ExponentiateWholeVectorsAvx512(start, whole, s, m));
        }

        if (whole < row.Length)
        {
            Span<float> tail = stackalloc float[16];
            tail.Fill(float.NegativeInfinity);
            row[whole..].CopyTo(tail);
            Vector512<float> e = VectorMath512.Exp(Avx512F.FusedMultiplyAdd(Vector512.Create<float>(tail), s, m));
            e.CopyTo(tail);
            sum += Vector512.Sum(e);
            tail[..(row.Length - whole)].CopyTo(row[whole..]);
        }

        return sum;
    }

    /// <summary>
    /// Replaces each of the first <paramref name="count"/> (a multiple of 16) values x by <c>e^(fma(x, s, m))</c>; returns
    /// their lane-wise sum, accumulated from +0 vector by vector (both AVX-512 rows sum this way, then the partial last vector apart).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> ExponentiateWholeVectorsAvx512(float* row, int count, Vector512<float> s, Vector512<float> m)
    {
        Vector512<float> acc = Vector512<float>.Zero;
        for (int i = 0; i < count; i += 16)
        {
            Vector512<float> e = VectorMath512.Exp(Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(row + i), s, m));
            Avx512F.Store(row + i, e);
            acc += e;
        }

        return acc;
    }

    /// <summary>
    /// <c>softmax(scale·x)</c> of <c>row[0 … n-1]</c> in place, for a row padded to whole 16-float vectors (64-byte aligned;
    /// the floats from <paramref name="n"/> to the padding are scratch): the values <see cref="Row(Span{float}, float, bool)"/>'s
    /// AVX-512 path gives, without its span slicing, lane-by-lane maximum and stack-allocated tail, which cost more than
    /// the exponentials on the 16-key rows of text attention. The maximum is taken in another order, which can only differ
    /// in the sign of a zero maximum: such rows, non-finite or NaN maxima and a non-positive scale return false with the
    /// row untouched (the caller then uses <see cref="Row(Span{float}, float, bool)"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe bool TryPaddedRowAvx512(float* row, int n, float scale)
    {
        if (!(scale > 0f))
        {
            return false;
        }

        Vector512<float> negativeInfinity = Vector512.Create(float.NegativeInfinity);
        Vector512<float> best = negativeInfinity;
        Vector512<float> nan = Vector512<float>.Zero;
        for (int j = 0; j < n; j += 16)
        {
            Vector512<float> x = Vector512.ConditionalSelect(FirstLanes(n - j), Avx512F.LoadAlignedVector512(row + j), negativeInfinity);
            best = Avx512F.Max(best, x);
            nan |= ~Vector512.Equals(x, x);
        }

        Vector256<float> max8 = Avx.Max(best.GetLower(), best.GetUpper());
        Vector128<float> max4 = Sse.Max(max8.GetLower(), max8.GetUpper());
        max4 = Sse.Max(max4, Sse.Shuffle(max4, max4, 0b_01_00_11_10));
        max4 = Sse.Max(max4, Sse.Shuffle(max4, max4, 0b_10_11_00_01));
        float max = max4.ToScalar();
        if (nan != Vector512<float>.Zero || !float.IsFinite(max) || max == 0f)
        {
            return false;
        }

        Vector512<float> s = Vector512.Create(scale);
        Vector512<float> m = Vector512.Create(-(scale * max));
        int whole = n & ~15;
        float sum = Vector512.Sum(ExponentiateWholeVectorsAvx512(row, whole, s, m));
        if (whole < n)
        {
            // The padded tail read in place, its lanes past n as −∞ (e = 0): the values the stack-allocated tail gives.
            Vector512<float> tail = Vector512.ConditionalSelect(FirstLanes(n - whole), Avx512F.LoadAlignedVector512(row + whole), negativeInfinity);
            Vector512<float> e = VectorMath512.Exp(Avx512F.FusedMultiplyAdd(tail, s, m));
            Avx512F.StoreAligned(row + whole, e);
            sum += Vector512.Sum(e);
        }

        Vector512<float> factor = Vector512.Create(1f / sum);
        for (int j = 0; j < n; j += 16)
        {
            Avx512F.StoreAligned(row + j, Avx512F.LoadAlignedVector512(row + j) * factor);
        }

        return true;
    }

    /// <summary>All-ones lanes for the first <paramref name="count"/> lanes (all 16 if more).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> FirstLanes(int count) => Vector512.LessThan(LaneIndices, Vector512.Create(count)).AsSingle();

    private static readonly Vector512<int> LaneIndices = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}
