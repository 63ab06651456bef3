using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// The row weighing of the <see cref="AttentionKernels"/> path — mask, <c>softmax(scale·s)</c>, uniform rows, zeros past
/// the visible keys — on score rows padded to whole 16-float vectors, bit-for-bit what <see cref="AttentionWork"/>'s
/// <c>WeighRow</c> computes: masked keys become −∞ whole vectors at a time, and the softmax is
/// <see cref="Softmax.TryPaddedRowAvx512"/> (its AVX-512 row on the padded row in place), or <see cref="Softmax"/>'s own
/// row for the rows that one hands back.
/// </summary>
internal static unsafe class AttentionRowWeights
{
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
                Vector512<float> inside = Softmax.FirstLanes(visible - j);
                Vector512<float> hidden = Vector512.Equals(Avx512F.LoadAlignedVector512(keep + j), Vector512<float>.Zero) & inside;
                anyKept |= (inside & ~hidden) != Vector512<float>.Zero;
                Avx512F.StoreAligned(row + j, Vector512.ConditionalSelect(hidden, negativeInfinity, Avx512F.LoadAlignedVector512(row + j)));
            }
        }

        if (!anyKept)
        {
            new Span<float>(row, visible).Fill(1f / visible);
        }
        else if (!Softmax.TryPaddedRowAvx512(row, visible, scale))
        {
            Softmax.Row(new Span<float>(row, visible), scale, wide: true);
        }

        new Span<float>(row + visible, keys - visible).Clear();
    }
}
