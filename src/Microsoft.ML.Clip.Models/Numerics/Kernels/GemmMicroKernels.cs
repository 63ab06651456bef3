using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// The register-blocked GEMM micro-kernels: <c>C[6, 64] (+)= A[6, kc] · B[kc, 64]</c> where A is read in place (six row
/// pointers, <c>lda</c> apart) and B is one packed panel (<c>kc</c> rows of 64 contiguous floats, 64-byte aligned).
/// </summary>
/// <remarks>
/// Every C element is one fused multiply-add chain over <c>p = 0 … kc-1</c> in order, started from 0 or from the value
/// already in C; every path (AVX-512, AVX2, <see cref="Vector{T}"/>, scalar) rounds identically, so results do not depend
/// on the instruction set, the blocking or the thread count. (On net8.0 the <see cref="Vector{T}"/> path multiplies then
/// adds, since <c>Vector.FusedMultiplyAdd</c> arrived in .NET 9.)
/// </remarks>
internal static unsafe class GemmMicroKernels
{
    /// <summary>Rows of A (and C) per micro-tile.</summary>
    public const int MR = 6;

    /// <summary>Columns of a packed B panel (and of a C micro-tile).</summary>
    public const int NR = 64;

    /// <summary>Runs the kernel of <paramref name="level"/>.</summary>
    /// <param name="level">The instruction-set path.</param>
    /// <param name="kc">The reduction length of this block.</param>
    /// <param name="a">A[0, 0] of the tile; row <c>i</c> starts at <c>a + i·lda</c>.</param>
    /// <param name="lda">Distance between rows of A, in floats.</param>
    /// <param name="b">The packed panel, <c>[kc, 64]</c>.</param>
    /// <param name="c">C[0, 0] of the tile; row <c>i</c> starts at <c>c + i·ldc</c>.</param>
    /// <param name="ldc">Distance between rows of C, in floats.</param>
    /// <param name="load">Continue the chains from the values in C instead of from 0.</param>
    /// <param name="bias">Null, or 64 values added to every row after the last block.</param>
    /// <param name="columns">
    /// The columns of the tile that are needed (1 … 64); a partial tile computes only the 16-column strips (or
    /// vector strips) that cover them, with the same chains, and leaves the rest of C's tile unspecified.
    /// </param>
    /// <param name="prefetch">
    /// Null, or memory to bring into cache while the tile is computed (the next block of B): one cache-line prefetch per k
    /// step, at <paramref name="prefetch"/> + p·<paramref name="prefetchStep"/> floats (AVX-512 and AVX2 paths; the others
    /// ignore it). Prefetches never change results, and an address past the end of a buffer is harmless: x86 prefetch
    /// instructions never fault.
    /// </param>
    /// <param name="prefetchStep">Floats between successive prefetches (at most 16, one cache line).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(
        SimdLevel level, int kc, float* a, nint lda, float* b, float* c, nint ldc, bool load, float* bias, int columns = NR, float* prefetch = null, int prefetchStep = 0)
    {
        if (prefetch == null)
        {
            // Nothing to bring in: the row kernels then prefetch the block they are reading (no branch in their loop).
            prefetch = b;
            prefetchStep = 0;
        }

        switch (level)
        {
            case SimdLevel.Avx512:
                if (columns > 48)
                {
                    GemmRowKernels.Full(kc, a, lda, b, c, ldc, load, bias, prefetch, prefetchStep);
                }
                else
                {
                    for (int j = 0; j < columns; j += 16)
                    {
                        Avx512Strip(kc, a, lda, b + j, c + j, ldc, load, bias == null ? null : bias + j);
                    }
                }

                break;
            case SimdLevel.Avx2:
                GemmRowKernels.Avx2Full(columns, kc, a, lda, b, c, ldc, load, bias, prefetch, prefetchStep);
                break;
            case SimdLevel.Vector:
                int width = 2 * Vector<float>.Count;
                for (int j = 0; j < columns; j += width)
                {
                    VectorKernel(kc, a, lda, b + j, c + j, ldc, load, bias == null ? null : bias + j);
                }

                break;
            default:
                ScalarKernel(kc, a, lda, b, c, ldc, load, bias, columns);
                break;
        }
    }

    /// <summary>6×16: one zmm strip of a partial panel (edge tiles), 6 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx512Strip(int kc, float* a, nint lda, float* b, float* c, nint ldc, bool load, float* bias)
    {
        Vector512<float> c0, c1, c2, c3, c4, c5;
        if (load)
        {
            c0 = Avx512F.LoadVector512(c + (0 * ldc));
            c1 = Avx512F.LoadVector512(c + (1 * ldc));
            c2 = Avx512F.LoadVector512(c + (2 * ldc));
            c3 = Avx512F.LoadVector512(c + (3 * ldc));
            c4 = Avx512F.LoadVector512(c + (4 * ldc));
            c5 = Avx512F.LoadVector512(c + (5 * ldc));
        }
        else
        {
            c0 = c1 = c2 = c3 = c4 = c5 = Vector512<float>.Zero;
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
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[p]), b0, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[p]), b0, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[p]), b0, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[p]), b0, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[p]), b0, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[p]), b0, c5);
            b += NR;
        }

        if (bias != null)
        {
            Vector512<float> bias0 = Avx512F.LoadVector512(bias);
            c0 = Avx512F.Add(c0, bias0);
            c1 = Avx512F.Add(c1, bias0);
            c2 = Avx512F.Add(c2, bias0);
            c3 = Avx512F.Add(c3, bias0);
            c4 = Avx512F.Add(c4, bias0);
            c5 = Avx512F.Add(c5, bias0);
        }

        Avx512F.Store(c + (0 * ldc), c0);
        Avx512F.Store(c + (1 * ldc), c1);
        Avx512F.Store(c + (2 * ldc), c2);
        Avx512F.Store(c + (3 * ldc), c3);
        Avx512F.Store(c + (4 * ldc), c4);
        Avx512F.Store(c + (5 * ldc), c5);
    }

    /// <summary>6×(2 vectors) with <see cref="Vector{T}"/>, for CPUs without AVX2 (e.g. Arm64 NEON).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VectorKernel(int kc, float* a, nint lda, float* b, float* c, nint ldc, bool load, float* bias)
    {
        int w = Vector<float>.Count;
        Vector<float> c00, c01;
        Vector<float> c10, c11;
        Vector<float> c20, c21;
        Vector<float> c30, c31;
        Vector<float> c40, c41;
        Vector<float> c50, c51;
        if (load)
        {
            c00 = Unsafe.ReadUnaligned<Vector<float>>(c + (0 * ldc));
            c01 = Unsafe.ReadUnaligned<Vector<float>>(c + (0 * ldc) + w);
            c10 = Unsafe.ReadUnaligned<Vector<float>>(c + (1 * ldc));
            c11 = Unsafe.ReadUnaligned<Vector<float>>(c + (1 * ldc) + w);
            c20 = Unsafe.ReadUnaligned<Vector<float>>(c + (2 * ldc));
            c21 = Unsafe.ReadUnaligned<Vector<float>>(c + (2 * ldc) + w);
            c30 = Unsafe.ReadUnaligned<Vector<float>>(c + (3 * ldc));
            c31 = Unsafe.ReadUnaligned<Vector<float>>(c + (3 * ldc) + w);
            c40 = Unsafe.ReadUnaligned<Vector<float>>(c + (4 * ldc));
            c41 = Unsafe.ReadUnaligned<Vector<float>>(c + (4 * ldc) + w);
            c50 = Unsafe.ReadUnaligned<Vector<float>>(c + (5 * ldc));
            c51 = Unsafe.ReadUnaligned<Vector<float>>(c + (5 * ldc) + w);
        }
        else
        {
            c00 = c01 = Vector<float>.Zero;
            c10 = c11 = Vector<float>.Zero;
            c20 = c21 = Vector<float>.Zero;
            c30 = c31 = Vector<float>.Zero;
            c40 = c41 = Vector<float>.Zero;
            c50 = c51 = Vector<float>.Zero;
        }

        float* a0 = a;
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* a3 = a2 + lda;
        float* a4 = a3 + lda;
        float* a5 = a4 + lda;
        for (int p = 0; p < kc; p++)
        {
            Vector<float> b0 = Unsafe.ReadUnaligned<Vector<float>>(b);
            Vector<float> b1 = Unsafe.ReadUnaligned<Vector<float>>(b + w);
            Vector<float> x;
            x = new Vector<float>(a0[p]);
            c00 = MultiplyAdd(x, b0, c00);
            c01 = MultiplyAdd(x, b1, c01);
            x = new Vector<float>(a1[p]);
            c10 = MultiplyAdd(x, b0, c10);
            c11 = MultiplyAdd(x, b1, c11);
            x = new Vector<float>(a2[p]);
            c20 = MultiplyAdd(x, b0, c20);
            c21 = MultiplyAdd(x, b1, c21);
            x = new Vector<float>(a3[p]);
            c30 = MultiplyAdd(x, b0, c30);
            c31 = MultiplyAdd(x, b1, c31);
            x = new Vector<float>(a4[p]);
            c40 = MultiplyAdd(x, b0, c40);
            c41 = MultiplyAdd(x, b1, c41);
            x = new Vector<float>(a5[p]);
            c50 = MultiplyAdd(x, b0, c50);
            c51 = MultiplyAdd(x, b1, c51);
            b += NR;
        }

        if (bias != null)
        {
            Vector<float> bias0 = Unsafe.ReadUnaligned<Vector<float>>(bias);
            Vector<float> bias1 = Unsafe.ReadUnaligned<Vector<float>>(bias + w);
            c00 = c00 + bias0;
            c01 = c01 + bias1;
            c10 = c10 + bias0;
            c11 = c11 + bias1;
            c20 = c20 + bias0;
            c21 = c21 + bias1;
            c30 = c30 + bias0;
            c31 = c31 + bias1;
            c40 = c40 + bias0;
            c41 = c41 + bias1;
            c50 = c50 + bias0;
            c51 = c51 + bias1;
        }

        Unsafe.WriteUnaligned(c + (0 * ldc), c00);
        Unsafe.WriteUnaligned(c + (0 * ldc) + w, c01);
        Unsafe.WriteUnaligned(c + (1 * ldc), c10);
        Unsafe.WriteUnaligned(c + (1 * ldc) + w, c11);
        Unsafe.WriteUnaligned(c + (2 * ldc), c20);
        Unsafe.WriteUnaligned(c + (2 * ldc) + w, c21);
        Unsafe.WriteUnaligned(c + (3 * ldc), c30);
        Unsafe.WriteUnaligned(c + (3 * ldc) + w, c31);
        Unsafe.WriteUnaligned(c + (4 * ldc), c40);
        Unsafe.WriteUnaligned(c + (4 * ldc) + w, c41);
        Unsafe.WriteUnaligned(c + (5 * ldc), c50);
        Unsafe.WriteUnaligned(c + (5 * ldc) + w, c51);
    }

    /// <summary>The reference path: one <see cref="MathF.FusedMultiplyAdd"/> chain per C element.</summary>
    private static void ScalarKernel(int kc, float* a, nint lda, float* b, float* c, nint ldc, bool load, float* bias, int columns)
    {
        for (int i = 0; i < MR; i++)
        {
            float* aRow = a + (i * lda);
            float* cRow = c + (i * ldc);
            for (int j = 0; j < columns; j++)
            {
                float sum = load ? cRow[j] : 0f;
                for (int p = 0; p < kc; p++)
                {
                    sum = MathF.FusedMultiplyAdd(aRow[p], b[(p * NR) + j], sum);
                }

                cRow[j] = bias != null ? sum + bias[j] : sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> MultiplyAdd(Vector<float> x, Vector<float> y, Vector<float> z)
    {
#if NET9_0_OR_GREATER
        return Vector.FusedMultiplyAdd(x, y, z);
#else
        return (x * y) + z;
#endif
    }
}
