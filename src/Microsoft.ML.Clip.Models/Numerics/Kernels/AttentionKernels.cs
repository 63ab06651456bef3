using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// AVX-512 kernels for the attention core of one (sequence, head) with a 64-wide head: <c>S = Q·Kᵀ</c> and <c>O = P·V</c>
/// at the models' short sequences (16 to a few hundred keys), without the GEMM driver's per-call packing into 64-column
/// panels and zero-padded edge tiles.
/// </summary>
/// <remarks>
/// Bit-for-bit what <see cref="Gemm"/> computes for the same products (tests check it against the GEMM path): every score
/// is one fused multiply-add chain over the head dimension <c>d = 0 … 63</c> in order, started from +0, and every output
/// one chain over the keys <c>j = 0 … lk-1</c> in order from +0, zero weights of masked keys included — exactly the chains
/// of <see cref="GemmMicroKernels"/> (whose reduction blocks continue the chain through C). A product <c>a·b</c> equals
/// <c>b·a</c>, so which operand is broadcast does not matter; only the order of each chain does.
/// </remarks>
internal static unsafe class AttentionKernels
{
    /// <summary>The head width these kernels serve.</summary>
    public const int HeadDim = 64;

    /// <summary>Whether the kernels serve heads of <paramref name="headDim"/> on path <paramref name="level"/>.</summary>
    public static bool Supports(SimdLevel level, int headDim) => headDim == HeadDim && level == SimdLevel.Avx512 && Avx512F.IsSupported;

    /// <summary>The key count rounded up to whole 16-float vectors: the row length of Kᵀ and of the score rows.</summary>
    public static int PaddedKeys(int keys) => (keys + 15) & ~15;

    /// <summary>
    /// Kᵀ of one head: <c>kt[d·paddedKeys + j] = k[j·ldk + d]</c> for <c>d &lt; 64</c>, <c>j &lt; keys</c>, and 0 for the
    /// padding keys <c>keys ≤ j &lt; paddedKeys</c>; in 16×16 blocks transposed in registers.
    /// </summary>
    /// <param name="k">K of the head, <c>[keys, 64]</c> with rows <paramref name="ldk"/> floats apart.</param>
    /// <param name="ldk">Distance between key rows (the model width).</param>
    /// <param name="keys">The number of keys.</param>
    /// <param name="kt">Kᵀ, <c>[64, PaddedKeys(keys)]</c>, 64-byte aligned.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposeKeys(float* k, nint ldk, int keys, float* kt)
    {
        int padded = PaddedKeys(keys);
        for (int j0 = 0; j0 < padded; j0 += 16)
        {
            int rows = Math.Min(16, keys - j0);
            for (int d0 = 0; d0 < HeadDim; d0 += 16)
            {
                BlockTranspose.Transpose16(k + (j0 * ldk) + d0, ldk, rows, kt + (d0 * padded) + j0, padded);
            }
        }
    }

    /// <summary>
    /// Copies V of one head into a contiguous <c>[keys, 64]</c> block, so the products read it from consecutive cache lines
    /// rather than rows a model width apart (4 KiB for ViT-L/14, where every row falls into the same few L1 sets).
    /// </summary>
    /// <param name="v">V of the head, <c>[keys, 64]</c> with rows <paramref name="ldv"/> floats apart.</param>
    /// <param name="ldv">Distance between value rows (the model width).</param>
    /// <param name="keys">The number of keys.</param>
    /// <param name="packed">The copy, <c>[keys, 64]</c>, 64-byte aligned.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackValues(float* v, nint ldv, int keys, float* packed)
    {
        for (int j = 0; j < keys; j++)
        {
            float* row = v + (j * ldv);
            float* to = packed + (j * HeadDim);
            Avx512F.StoreAligned(to, Avx512F.LoadVector512(row));
            Avx512F.StoreAligned(to + 16, Avx512F.LoadVector512(row + 16));
            Avx512F.StoreAligned(to + 32, Avx512F.LoadVector512(row + 32));
            Avx512F.StoreAligned(to + 48, Avx512F.LoadVector512(row + 48));
        }
    }

    /// <summary>
    /// Raw scores of one head: <c>S[i, j] = Σ_d q[i, d]·Kᵀ[d, j]</c> for <c>i &lt; queries</c> and all
    /// <c>PaddedKeys(keys)</c> columns (the padding columns are 0 for finite queries and are never read).
    /// </summary>
    /// <param name="q">Q of the head, <c>[queries, 64]</c> with rows <paramref name="ldq"/> floats apart.</param>
    /// <param name="ldq">Distance between query rows.</param>
    /// <param name="queries">The number of query rows.</param>
    /// <param name="kt">Kᵀ from <see cref="TransposeKeys"/>.</param>
    /// <param name="keys">The number of keys.</param>
    /// <param name="s">S, <c>[queries, PaddedKeys(keys)]</c>, 64-byte aligned.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scores(float* q, nint ldq, int queries, float* kt, int keys, float* s)
    {
        int padded = PaddedKeys(keys);
        for (int j0 = 0; j0 < padded; j0 += 64)
        {
            // Up to 4 key vectors per tile; with fewer, more query rows keep ≥ 8 independent FMA chains in flight.
            int vectors = Math.Min(4, (padded - j0) / 16);
            int tile = vectors > 2 ? 6 : 8;
            for (int i0 = 0; i0 < queries; i0 += tile)
            {
                int rows = Math.Min(tile, queries - i0);
                ScoreRows(rows, vectors, q + (i0 * ldq), ldq, kt + j0, padded, s + ((long)i0 * padded) + j0);
            }
        }
    }

    /// <summary>
    /// The weighted values of one head: <c>O[i, 0:64] = Σ_{j &lt; keys} P[i, j]·V[j, 0:64]</c>, written in place into the
    /// head's columns of the output rows. V packed as <see cref="PackValues"/> writes it is exactly one packed GEMM panel
    /// (<c>[keys, 64]</c>, 64-byte aligned), so the GEMM's register kernels compute it: each output one FMA chain over
    /// <c>j = 0 … keys-1</c> in order from +0, zero weights included — what the two-GEMM path computes.
    /// </summary>
    /// <param name="p">The weights, <c>[queries, keys]</c> with rows <paramref name="ldp"/> floats apart.</param>
    /// <param name="ldp">Distance between weight rows.</param>
    /// <param name="queries">The number of query rows.</param>
    /// <param name="keys">The number of keys (at least 1).</param>
    /// <param name="packedValues">V of the head as <see cref="PackValues"/> wrote it.</param>
    /// <param name="o">O of the head, <c>[queries, 64]</c> with rows <paramref name="ldo"/> floats apart.</param>
    /// <param name="ldo">Distance between output rows.</param>
    public static void Weighted(float* p, nint ldp, int queries, int keys, float* packedValues, float* o, nint ldo)
    {
        const int rows = GemmMicroKernels.MR;
        int i0 = 0;
        for (; i0 + rows <= queries; i0 += rows)
        {
            GemmMicroKernels.Run(SimdLevel.Avx512, keys, p + (i0 * ldp), ldp, packedValues, o + (i0 * ldo), ldo, load: false, bias: null);
        }

        if (i0 < queries)
        {
            GemmRowKernels.Run(SimdLevel.Avx512, queries - i0, keys, p + (i0 * ldp), ldp, packedValues, o + (i0 * ldo), ldo, load: false, bias: null, prefetch: null, prefetchStep: 0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreRows(int rows, int vectors, float* q, nint ldq, float* kt, nint ldk, float* s)
    {
        switch (rows)
        {
            case 1:
                ScoreVectors<TileSize1>(vectors, q, ldq, kt, ldk, s);
                break;
            case 2:
                ScoreVectors<TileSize2>(vectors, q, ldq, kt, ldk, s);
                break;
            case 3:
                ScoreVectors<TileSize3>(vectors, q, ldq, kt, ldk, s);
                break;
            case 4:
                ScoreVectors<TileSize4>(vectors, q, ldq, kt, ldk, s);
                break;
            case 5:
                ScoreVectors<TileSize5>(vectors, q, ldq, kt, ldk, s);
                break;
            case 6:
                ScoreVectors<TileSize6>(vectors, q, ldq, kt, ldk, s);
                break;
            case 7:
                ScoreVectors<TileSize7>(vectors, q, ldq, kt, ldk, s);
                break;
            default:
                ScoreVectors<TileSize8>(vectors, q, ldq, kt, ldk, s);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreVectors<TRows>(int vectors, float* q, nint ldq, float* kt, nint ldk, float* s)
        where TRows : struct, ITileSize
    {
        switch (vectors)
        {
            case 1:
                ScoreTile<TRows, TileSize1>(q, ldq, kt, ldk, s, ldk);
                break;
            case 2:
                ScoreTile<TRows, TileSize2>(q, ldq, kt, ldk, s, ldk);
                break;
            case 3:
                ScoreTile<TRows, TileSize3>(q, ldq, kt, ldk, s, ldk);
                break;
            default:
                ScoreTile<TRows, TileSize4>(q, ldq, kt, ldk, s, ldk);
                break;
        }
    }

    /// <summary>
    /// <c>S[r, 16v] = Σ_d q[r, d]·Kᵀ[d, 16v]</c> for <c>TRows</c> query rows and <c>TVectors</c> 16-key vectors: per head
    /// dimension, <c>TVectors</c> aligned loads of Kᵀ, one broadcast of q per row, <c>TRows·TVectors</c> FMAs. Each score is one
    /// FMA chain over <c>d = 0 … 63</c> in order from +0, as the GEMM micro-kernel forms it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreTile<TRows, TVectors>(float* q, nint ldq, float* kt, nint ldk, float* s, nint lds)
        where TRows : struct, ITileSize
        where TVectors : struct, ITileSize
    {
        int rows = TRows.Value;
        int vectors = TVectors.Value;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        Vector512<float> c60 = default, c61 = default, c62 = default, c63 = default;
        Vector512<float> c70 = default, c71 = default, c72 = default, c73 = default;
        float* q0 = q + (0 * ldq);
        float* q1 = q + (1 * ldq);
        float* q2 = q + (2 * ldq);
        float* q3 = q + (3 * ldq);
        float* q4 = q + (4 * ldq);
        float* q5 = q + (5 * ldq);
        float* q6 = q + (6 * ldq);
        float* q7 = q + (7 * ldq);
        for (int d = 0; d < HeadDim; d++)
        {
            Vector512<float> k0 = Avx512F.LoadAlignedVector512(kt);
            Vector512<float> k1 = vectors > 1 ? Avx512F.LoadAlignedVector512(kt + 16) : default;
            Vector512<float> k2 = vectors > 2 ? Avx512F.LoadAlignedVector512(kt + 32) : default;
            Vector512<float> k3 = vectors > 3 ? Avx512F.LoadAlignedVector512(kt + 48) : default;
            Vector512<float> x;
            x = Vector512.Create(q0[d]);
            c00 = Avx512F.FusedMultiplyAdd(x, k0, c00);
            if (vectors > 1)
            {
                c01 = Avx512F.FusedMultiplyAdd(x, k1, c01);
            }

            if (vectors > 2)
            {
                c02 = Avx512F.FusedMultiplyAdd(x, k2, c02);
            }

            if (vectors > 3)
            {
                c03 = Avx512F.FusedMultiplyAdd(x, k3, c03);
            }

            if (rows > 1)
            {
                x = Vector512.Create(q1[d]);
                c10 = Avx512F.FusedMultiplyAdd(x, k0, c10);
                if (vectors > 1)
                {
                    c11 = Avx512F.FusedMultiplyAdd(x, k1, c11);
                }

                if (vectors > 2)
                {
                    c12 = Avx512F.FusedMultiplyAdd(x, k2, c12);
                }

                if (vectors > 3)
                {
                    c13 = Avx512F.FusedMultiplyAdd(x, k3, c13);
                }
            }

            if (rows > 2)
            {
                x = Vector512.Create(q2[d]);
                c20 = Avx512F.FusedMultiplyAdd(x, k0, c20);
                if (vectors > 1)
                {
                    c21 = Avx512F.FusedMultiplyAdd(x, k1, c21);
                }

                if (vectors > 2)
                {
                    c22 = Avx512F.FusedMultiplyAdd(x, k2, c22);
                }

                if (vectors > 3)
                {
                    c23 = Avx512F.FusedMultiplyAdd(x, k3, c23);
                }
            }

            if (rows > 3)
            {
                x = Vector512.Create(q3[d]);
                c30 = Avx512F.FusedMultiplyAdd(x, k0, c30);
                if (vectors > 1)
                {
                    c31 = Avx512F.FusedMultiplyAdd(x, k1, c31);
                }

                if (vectors > 2)
                {
                    c32 = Avx512F.FusedMultiplyAdd(x, k2, c32);
                }

                if (vectors > 3)
                {
                    c33 = Avx512F.FusedMultiplyAdd(x, k3, c33);
                }
            }

            if (rows > 4)
            {
                x = Vector512.Create(q4[d]);
                c40 = Avx512F.FusedMultiplyAdd(x, k0, c40);
                if (vectors > 1)
                {
                    c41 = Avx512F.FusedMultiplyAdd(x, k1, c41);
                }

                if (vectors > 2)
                {
                    c42 = Avx512F.FusedMultiplyAdd(x, k2, c42);
                }

                if (vectors > 3)
                {
                    c43 = Avx512F.FusedMultiplyAdd(x, k3, c43);
                }
            }

            if (rows > 5)
            {
                x = Vector512.Create(q5[d]);
                c50 = Avx512F.FusedMultiplyAdd(x, k0, c50);
                if (vectors > 1)
                {
                    c51 = Avx512F.FusedMultiplyAdd(x, k1, c51);
                }

                if (vectors > 2)
                {
                    c52 = Avx512F.FusedMultiplyAdd(x, k2, c52);
                }

                if (vectors > 3)
                {
                    c53 = Avx512F.FusedMultiplyAdd(x, k3, c53);
                }
            }

            if (rows > 6)
            {
                x = Vector512.Create(q6[d]);
                c60 = Avx512F.FusedMultiplyAdd(x, k0, c60);
                if (vectors > 1)
                {
                    c61 = Avx512F.FusedMultiplyAdd(x, k1, c61);
                }

                if (vectors > 2)
                {
                    c62 = Avx512F.FusedMultiplyAdd(x, k2, c62);
                }

                if (vectors > 3)
                {
                    c63 = Avx512F.FusedMultiplyAdd(x, k3, c63);
                }
            }

            if (rows > 7)
            {
                x = Vector512.Create(q7[d]);
                c70 = Avx512F.FusedMultiplyAdd(x, k0, c70);
                if (vectors > 1)
                {
                    c71 = Avx512F.FusedMultiplyAdd(x, k1, c71);
                }

                if (vectors > 2)
                {
                    c72 = Avx512F.FusedMultiplyAdd(x, k2, c72);
                }

                if (vectors > 3)
                {
                    c73 = Avx512F.FusedMultiplyAdd(x, k3, c73);
                }
            }

            kt += ldk;
        }

        StoreScores<TVectors>(s + (0 * lds), c00, c01, c02, c03);

        if (rows > 1)
        {
            StoreScores<TVectors>(s + (1 * lds), c10, c11, c12, c13);
        }

        if (rows > 2)
        {
            StoreScores<TVectors>(s + (2 * lds), c20, c21, c22, c23);
        }

        if (rows > 3)
        {
            StoreScores<TVectors>(s + (3 * lds), c30, c31, c32, c33);
        }

        if (rows > 4)
        {
            StoreScores<TVectors>(s + (4 * lds), c40, c41, c42, c43);
        }

        if (rows > 5)
        {
            StoreScores<TVectors>(s + (5 * lds), c50, c51, c52, c53);
        }

        if (rows > 6)
        {
            StoreScores<TVectors>(s + (6 * lds), c60, c61, c62, c63);
        }

        if (rows > 7)
        {
            StoreScores<TVectors>(s + (7 * lds), c70, c71, c72, c73);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreScores<TVectors>(float* row, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
        where TVectors : struct, ITileSize
    {
        Avx512F.StoreAligned(row, v0);
        if (TVectors.Value > 1)
        {
            Avx512F.StoreAligned(row + 16, v1);
        }

        if (TVectors.Value > 2)
        {
            Avx512F.StoreAligned(row + 32, v2);
        }

        if (TVectors.Value > 3)
        {
            Avx512F.StoreAligned(row + 48, v3);
        }
    }
}
