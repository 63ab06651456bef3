using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// The row weighing of the <see cref="AttentionKernels"/> path — mask, <c>softmax(scale·s)</c>, uniform rows, zeros past
/// the visible keys — on score rows padded to whole 16-float vectors, bit-for-bit what <see cref="AttentionWork"/>'s
/// <c>WeighRow</c> and <see cref="Softmax"/>'s AVX-512 row compute, without their span slicing, scalar lane loops and
/// stack-allocated tails (which cost more than the products on 16-key rows).
/// </summary>
/// <remarks>
/// The same operations on the same values, in the same order: masked keys become −∞; the exponentials
/// <c>e^(fma(s, scale, −scale·max))</c> of each whole vector of the row are summed lane-wise into one accumulator from +0,
/// then <see cref="Vector512.Sum{T}(Vector512{T})"/> of it, plus that of the last partial vector (padded with −∞, whose
/// exponential is 0) — as <see cref="Softmax"/> does; then each weight is multiplied by <c>1/sum</c>. The maximum is taken in
/// another order, which gives the same value except for the sign of a zero maximum: rows whose maximum is 0, non-finite
/// or NaN, and a non-positive scale, are handed to <see cref="Softmax"/> itself.
/// </remarks>
internal static unsafe class AttentionRowWeights
{
    private static readonly Vector512<int> LaneIndices = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    /// <summary>
    /// Weighs one score row in place: keys <c>j &lt; visible</c> with <c>keep[j] == 0</c> get weight 0 (as −∞ scores), the
    /// others <c>softmax(scale·s)</c>, or <c>1/visible</c> each if every visible key is masked; keys
    /// <c>visible ≤ j &lt; keys</c> get 0. Floats from <c>keys</c> to the padded length are scratch.
    /// </summary>
    /// <param name="row">The raw scores, <c>AttentionKernels.PaddedKeys(keys)</c> floats, 64-byte aligned.</param>
    /// <param name="keys">The number of keys (at least 1).</param>
    /// <param name="visible">The keys the query may see (1 … keys).</param>
    /// <param name="keep">Null (no padding), or the padding mask of the sequence, padded like the row, 64-byte aligned.</param>
    /// <param name="scale">The factor applied to the scores.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Weigh(float* row, int keys, int visible, float* keep, float scale)
    {
        Vector512<float> negativeInfinity = Vector512.Create(float.NegativeInfinity);
        bool anyKept = keep == null;
        if (keep != null)
        {
            for (int j = 0; j < visible; j += 16)
            {
                Vector512<float> inside = Inside(visible - j);
                Vector512<float> hidden = Vector512.Equals(Avx512F.LoadAlignedVector512(keep + j), Vector512<float>.Zero) & inside;
                anyKept |= (inside & ~hidden) != Vector512<float>.Zero;
                Avx512F.StoreAligned(row + j, Vector512.ConditionalSelect(hidden, negativeInfinity, Avx512F.LoadAlignedVector512(row + j)));
            }
        }

        if (!anyKept)
        {
            new Span<float>(row, visible).Fill(1f / visible);
        }
        else if (!(scale > 0f) || !Exponentiate(row, visible, scale))
        {
            Softmax.Row(new Span<float>(row, visible), scale, wide: true);
        }

        new Span<float>(row + visible, keys - visible).Clear();
    }

    /// <summary>The softmax of <c>row[0 … n-1]</c> (scale &gt; 0); false, with the row untouched, if its maximum is 0, ±∞ or NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Exponentiate(float* row, int n, float scale)
    {
        Vector512<float> negativeInfinity = Vector512.Create(float.NegativeInfinity);
        Vector512<float> best = negativeInfinity;
        Vector512<float> nan = Vector512<float>.Zero;
        for (int j = 0; j < n; j += 16)
        {
            Vector512<float> x = Vector512.ConditionalSelect(Inside(n - j), Avx512F.LoadAlignedVector512(row + j), negativeInfinity);
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

        // As Softmax's AVX-512 exponentiation: whole vectors into one accumulator, the partial last one summed apart.
        Vector512<float> s = Vector512.Create(scale);
        Vector512<float> m = Vector512.Create(-(scale * max));
        Vector512<float> acc = Vector512<float>.Zero;
        int i = 0;
        for (; i <= n - 16; i += 16)
        {
            Vector512<float> e = VectorMath512.Exp(Avx512F.FusedMultiplyAdd(Avx512F.LoadAlignedVector512(row + i), s, m));
            Avx512F.StoreAligned(row + i, e);
            acc += e;
        }

        float sum = Vector512.Sum(acc);
        if (i < n)
        {
            Vector512<float> tail = Vector512.ConditionalSelect(Inside(n - i), Avx512F.LoadAlignedVector512(row + i), negativeInfinity);
            Vector512<float> e = VectorMath512.Exp(Avx512F.FusedMultiplyAdd(tail, s, m));
            Avx512F.StoreAligned(row + i, e);
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
    private static Vector512<float> Inside(int count) => Vector512.LessThan(LaneIndices, Vector512.Create(count)).AsSingle();
}
