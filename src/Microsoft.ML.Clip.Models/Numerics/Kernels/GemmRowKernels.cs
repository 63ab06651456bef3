using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Microsoft.ML.Clip.Numerics.Kernels.GemmMicroKernels;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// The AVX-512 and AVX2 register kernels: <c>C[r, 64] (+)= A[r, kc] · B[kc, 64]</c> for <c>r = 1 … 6</c>, reading A and
/// writing C in place. Six rows (<see cref="Full"/>) are <see cref="GemmMicroKernels"/>' tile; 1–5 rows the last,
/// partial row tile of a full 64-column panel.
/// </summary>
/// <remarks>
/// Without the partial tiles a tile of <c>r &lt; 6</c> rows ran the 6-row kernel on a zero-padded copy of A: for the
/// 50-row products of a ViT-B/32 image (8 full tiles and one of 2 rows) that is 54 rows of FMAs for 50 rows of results,
/// plus the copies. Each C element is one FMA chain over <c>p = 0 … kc-1</c> (started from 0 or from C, then
/// <c>+ bias</c>), whatever the row count or instruction set, so the results are bit-identical to the other paths' and
/// the scalar reference's. One generic body per instruction set serves every row count: its type argument is a struct,
/// so the JIT compiles a copy per count in which <c>TRows.Value</c> is a constant and the unused rows' accumulators and
/// branches disappear (the 6-row copies run as fast as the hand-written kernels they replaced, `gemm` quick run).
/// </remarks>
internal static unsafe class GemmRowKernels
{
    /// <summary>Columns of one AVX2 strip: the 64-column panel is computed as four of them (12 of the 16 ymm registers hold a 6-row strip).</summary>
    private const int Avx2Strip = 16;

    /// <summary>Whether <see cref="Run"/> serves <paramref name="level"/> (the AVX-512 and AVX2 paths have row kernels).</summary>
    public static bool Supports(SimdLevel level) => level switch
    {
        SimdLevel.Avx512 => Avx512F.IsSupported,
        SimdLevel.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        _ => false,
    };

    /// <summary>
    /// Computes a partial tile of <paramref name="rows"/> (1 … 5) rows and 64 columns on <paramref name="level"/> (one
    /// <see cref="Supports"/> accepts); the other arguments as <see cref="GemmMicroKernels.Run"/>'s.
    /// </summary>
    public static void Run(SimdLevel level, int rows, int kc, float* a, nint lda, float* b, float* c, nint ldc, bool load, float* bias, float* prefetch, int prefetchStep)
    {
        if (prefetch == null)
        {
            prefetch = b;
            prefetchStep = 0;
        }

        switch (rows)
        {
            case 1:
                Rows<TileSize1>(level, NR, kc, a, lda, b, c, ldc, load, bias, prefetch, prefetchStep);
                break;
            case 2:
                Rows<TileSize2>(level, NR, kc, a, lda, b, c, ldc, load, bias, prefetch, prefetchStep);
                break;
            case 3:
                Rows<TileSize3>(level, NR, kc, a, lda, b, c, ldc, load, bias, prefetch, prefetchStep);
                break;
            case 4:
                Rows<TileSize4>(level, NR, kc, a, lda, b, c, ldc, load, bias, prefetch, prefetchStep);
                break;
            case 5:
                Rows<TileSize5>(level, NR, kc, a, lda, b, c, ldc, load, bias, prefetch, prefetchStep);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rows), rows, "A partial row tile has 1 to 5 rows.");
        }
    }

    /// <summary>The full 6×64 tile (<see cref="GemmMicroKernels"/>' AVX-512 path); arguments as <see cref="Run"/>'s, a non-null <paramref name="prefetch"/>.</summary>
    internal static void Full(int kc, float* a, nint lda, float* b, float* c, nint ldc, bool load, float* bias, float* prefetch, nint prefetchStep) =>
        Avx512Rows<TileSize6>(kc, a, lda, b, c, ldc, load, bias, prefetch, prefetchStep);

    /// <summary>
    /// The 6-row tile on the AVX2 path (<see cref="GemmMicroKernels"/>' AVX2 path): the 16-column strips that cover
    /// <paramref name="columns"/> (1 … 64); arguments as <see cref="Full"/>'s.
    /// </summary>
    internal static void Avx2Full(int columns, int kc, float* a, nint lda, float* b, float* c, nint ldc, bool load, float* bias, float* prefetch, int prefetchStep) =>
        Avx2Panel<TileSize6>(columns, kc, a, lda, b, c, ldc, load, bias, prefetch, prefetchStep);

    private static void Rows<TRows>(SimdLevel level, int columns, int kc, float* a, nint lda, float* b, float* c, nint ldc, bool load, float* bias, float* prefetch, int prefetchStep)
        where TRows : struct, ITileSize
    {
        if (level == SimdLevel.Avx512)
        {
            Avx512Rows<TRows>(kc, a, lda, b, c, ldc, load, bias, prefetch, prefetchStep);
        }
        else
        {
            Avx2Panel<TRows>(columns, kc, a, lda, b, c, ldc, load, bias, prefetch, prefetchStep);
        }
    }

    /// <summary>r×64 with 4r zmm accumulators: per k step 4 aligned loads of B, r broadcasts of A, 4r FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx512Rows<TRows>(int kc, float* a, nint lda, float* b, float* c, nint ldc, bool load, float* bias, float* prefetch, nint prefetchStep)
        where TRows : struct, ITileSize
    {
        int rows = TRows.Value;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        if (load)
        {
            Load(c, out c00, out c01, out c02, out c03);
            if (rows > 1)
            {
                Load(c + ldc, out c10, out c11, out c12, out c13);
            }

            if (rows > 2)
            {
                Load(c + (2 * ldc), out c20, out c21, out c22, out c23);
            }

            if (rows > 3)
            {
                Load(c + (3 * ldc), out c30, out c31, out c32, out c33);
            }

            if (rows > 4)
            {
                Load(c + (4 * ldc), out c40, out c41, out c42, out c43);
            }

            if (rows > 5)
            {
                Load(c + (5 * ldc), out c50, out c51, out c52, out c53);
            }
        }

        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* a3 = a2 + lda;
        float* a4 = a3 + lda;
        float* a5 = a4 + lda;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Avx512F.LoadAlignedVector512(b);
            Vector512<float> b1 = Avx512F.LoadAlignedVector512(b + 16);
            Vector512<float> b2 = Avx512F.LoadAlignedVector512(b + 32);
            Vector512<float> b3 = Avx512F.LoadAlignedVector512(b + 48);
            Sse.Prefetch0(prefetch);
            prefetch += prefetchStep;
            Vector512<float> x = Vector512.Create(a0[p]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            c02 = Avx512F.FusedMultiplyAdd(x, b2, c02);
            c03 = Avx512F.FusedMultiplyAdd(x, b3, c03);
            if (rows > 1)
            {
                x = Vector512.Create(a1[p]);
                c10 = Avx512F.FusedMultiplyAdd(x, b0, c10);
                c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
                c12 = Avx512F.FusedMultiplyAdd(x, b2, c12);
                c13 = Avx512F.FusedMultiplyAdd(x, b3, c13);
            }

            if (rows > 2)
            {
                x = Vector512.Create(a2[p]);
                c20 = Avx512F.FusedMultiplyAdd(x, b0, c20);
                c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
                c22 = Avx512F.FusedMultiplyAdd(x, b2, c22);
                c23 = Avx512F.FusedMultiplyAdd(x, b3, c23);
            }

            if (rows > 3)
            {
                x = Vector512.Create(a3[p]);
                c30 = Avx512F.FusedMultiplyAdd(x, b0, c30);
                c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
                c32 = Avx512F.FusedMultiplyAdd(x, b2, c32);
                c33 = Avx512F.FusedMultiplyAdd(x, b3, c33);
            }

            if (rows > 4)
            {
                x = Vector512.Create(a4[p]);
                c40 = Avx512F.FusedMultiplyAdd(x, b0, c40);
                c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
                c42 = Avx512F.FusedMultiplyAdd(x, b2, c42);
                c43 = Avx512F.FusedMultiplyAdd(x, b3, c43);
            }

            if (rows > 5)
            {
                x = Vector512.Create(a5[p]);
                c50 = Avx512F.FusedMultiplyAdd(x, b0, c50);
                c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
                c52 = Avx512F.FusedMultiplyAdd(x, b2, c52);
                c53 = Avx512F.FusedMultiplyAdd(x, b3, c53);
            }

            b += NR;
        }

        Store(c, bias, c00, c01, c02, c03);
        if (rows > 1)
        {
            Store(c + ldc, bias, c10, c11, c12, c13);
        }

        if (rows > 2)
        {
            Store(c + (2 * ldc), bias, c20, c21, c22, c23);
        }

        if (rows > 3)
        {
            Store(c + (3 * ldc), bias, c30, c31, c32, c33);
        }

        if (rows > 4)
        {
            Store(c + (4 * ldc), bias, c40, c41, c42, c43);
        }

        if (rows > 5)
        {
            Store(c + (5 * ldc), bias, c50, c51, c52, c53);
        }
    }

    /// <summary>
    /// AVX2: the panel's 64 columns (or the strips that cover <paramref name="columns"/>) as 16-column strips. The first
    /// strip brings the next block of B into cache, as the AVX-512 tile does; the others prefetch one fixed line they are
    /// reading anyway (their first B row, step 0: one load-port operation per 2r FMAs, and no branch in the loop).
    /// </summary>
    private static void Avx2Panel<TRows>(int columns, int kc, float* a, nint lda, float* b, float* c, nint ldc, bool load, float* bias, float* prefetch, int prefetchStep)
        where TRows : struct, ITileSize
    {
        for (int j = 0; j < columns; j += Avx2Strip)
        {
            bool first = j == 0;
            Avx2Rows<TRows>(kc, a, lda, b + j, c + j, ldc, load, bias == null ? null : bias + j, first ? prefetch : b + j, first ? prefetchStep : 0);
        }
    }

    /// <summary>r×16 with 2r ymm accumulators (at most 12 of the 16 registers): per k step 2 loads of B, r broadcasts of A, 2r FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx2Rows<TRows>(int kc, float* a, nint lda, float* b, float* c, nint ldc, bool load, float* bias, float* prefetch, nint prefetchStep)
        where TRows : struct, ITileSize
    {
        const int w = 8;
        int rows = TRows.Value;
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;
        if (load)
        {
            Load(c, out c00, out c01);
            if (rows > 1)
            {
                Load(c + ldc, out c10, out c11);
            }

            if (rows > 2)
            {
                Load(c + (2 * ldc), out c20, out c21);
            }

            if (rows > 3)
            {
                Load(c + (3 * ldc), out c30, out c31);
            }

            if (rows > 4)
            {
                Load(c + (4 * ldc), out c40, out c41);
            }

            if (rows > 5)
            {
                Load(c + (5 * ldc), out c50, out c51);
            }
        }

        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* a3 = a2 + lda;
        float* a4 = a3 + lda;
        float* a5 = a4 + lda;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Avx.LoadVector256(b);
            Vector256<float> b1 = Avx.LoadVector256(b + w);
            Sse.Prefetch0(prefetch);
            prefetch += prefetchStep;
            Vector256<float> x = Vector256.Create(a0[p]);
            c00 = Fma.MultiplyAdd(x, b0, c00);
            c01 = Fma.MultiplyAdd(x, b1, c01);
            if (rows > 1)
            {
                x = Vector256.Create(a1[p]);
                c10 = Fma.MultiplyAdd(x, b0, c10);
                c11 = Fma.MultiplyAdd(x, b1, c11);
            }

            if (rows > 2)
            {
                x = Vector256.Create(a2[p]);
                c20 = Fma.MultiplyAdd(x, b0, c20);
                c21 = Fma.MultiplyAdd(x, b1, c21);
            }

            if (rows > 3)
            {
                x = Vector256.Create(a3[p]);
                c30 = Fma.MultiplyAdd(x, b0, c30);
                c31 = Fma.MultiplyAdd(x, b1, c31);
            }

            if (rows > 4)
            {
                x = Vector256.Create(a4[p]);
                c40 = Fma.MultiplyAdd(x, b0, c40);
                c41 = Fma.MultiplyAdd(x, b1, c41);
            }

            if (rows > 5)
            {
                x = Vector256.Create(a5[p]);
                c50 = Fma.MultiplyAdd(x, b0, c50);
                c51 = Fma.MultiplyAdd(x, b1, c51);
            }

            b += NR;
        }

        Store(c, bias, c00, c01);
        if (rows > 1)
        {
            Store(c + ldc, bias, c10, c11);
        }

        if (rows > 2)
        {
            Store(c + (2 * ldc), bias, c20, c21);
        }

        if (rows > 3)
        {
            Store(c + (3 * ldc), bias, c30, c31);
        }

        if (rows > 4)
        {
            Store(c + (4 * ldc), bias, c40, c41);
        }

        if (rows > 5)
        {
            Store(c + (5 * ldc), bias, c50, c51);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load(float* row, out Vector512<float> v0, out Vector512<float> v1, out Vector512<float> v2, out Vector512<float> v3)
    {
        v0 = Avx512F.LoadVector512(row);
        v1 = Avx512F.LoadVector512(row + 16);
        v2 = Avx512F.LoadVector512(row + 32);
        v3 = Avx512F.LoadVector512(row + 48);
    }

    /// <summary>Stores one row of the tile, adding the bias first when there is one (after the whole chain, as the 6-row kernel does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, float* bias, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
    {
        if (bias != null)
        {
            v0 = Avx512F.Add(v0, Avx512F.LoadVector512(bias));
            v1 = Avx512F.Add(v1, Avx512F.LoadVector512(bias + 16));
            v2 = Avx512F.Add(v2, Avx512F.LoadVector512(bias + 32));
            v3 = Avx512F.Add(v3, Avx512F.LoadVector512(bias + 48));
        }

        Avx512F.Store(row, v0);
        Avx512F.Store(row + 16, v1);
        Avx512F.Store(row + 32, v2);
        Avx512F.Store(row + 48, v3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load(float* row, out Vector256<float> v0, out Vector256<float> v1)
    {
        v0 = Avx.LoadVector256(row);
        v1 = Avx.LoadVector256(row + 8);
    }

    /// <summary>Stores one row of an AVX2 strip, adding the bias first when there is one (after the whole chain).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, float* bias, Vector256<float> v0, Vector256<float> v1)
    {
        if (bias != null)
        {
            v0 = Avx.Add(v0, Avx.LoadVector256(bias));
            v1 = Avx.Add(v1, Avx.LoadVector256(bias + 8));
        }

        Avx.Store(row, v0);
        Avx.Store(row + 8, v1);
    }
}
