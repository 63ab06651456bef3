using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// The register-blocked int8 micro-kernels: <c>T[6, 16] = A[6, 4·quads] · B[4·quads, 16]</c> in exact int32, where A is six
/// quantized activation rows (<c>lda</c> elements apart; int16 values, or <c>q + 128</c> bytes for VNNI) and B one packed
/// <see cref="Int8Weights"/> panel (<c>[quad][16 columns][4]</c> signed bytes). The tile <c>T</c> is written row-major with
/// 16 ints per row; every path writes the same integers.
/// </summary>
internal static unsafe class Int8MicroKernels
{
    /// <summary>Rows of A per micro-tile.</summary>
    public const int MR = 6;

    /// <summary>Columns of a packed panel (and of a micro-tile).</summary>
    public const int NR = 16;

    /// <summary>Runs the kernel of <paramref name="level"/>.</summary>
    /// <param name="level">The instruction-set path.</param>
    /// <param name="quads">Reduction length in quads of 4 (A and B are zero-padded to whole quads).</param>
    /// <param name="a">Row 0 of the tile: int16 values, or offset bytes when <see cref="Int8LevelInfo.UsesUnsignedBytes"/>.</param>
    /// <param name="lda">Distance between rows of A, in elements (a multiple of 4).</param>
    /// <param name="b">The packed panel.</param>
    /// <param name="offsetCorrection">The panel's 16 values of <c>128·Σ q_w</c> (VNNI subtracts them).</param>
    /// <param name="tile">The 6×16 int32 result.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(Int8Level level, int quads, void* a, nint lda, sbyte* b, int* offsetCorrection, int* tile)
    {
        switch (level)
        {
#if NET9_0_OR_GREATER
            case Int8Level.AvxVnni:
                VnniKernel(quads, (byte*)a, lda, b, offsetCorrection, tile);
                break;
#else
            case Int8Level.AvxVnni:
                throw new PlatformNotSupportedException("The AVX-VNNI int8 kernel needs .NET 9 or later.");
#endif
            case Int8Level.Avx512:
                Avx512Kernel(quads, (short*)a, lda, b, tile);
                break;
            case Int8Level.Avx2:
                Avx2Kernel(quads, (short*)a, lda, b, tile);
                Avx2Kernel(quads, (short*)a, lda, b + 32, tile + 8);
                break;
            default:
                ScalarKernel(quads, (short*)a, lda, b, tile);
                break;
        }
    }

    /// <summary>The reference: plain integer sums, <c>T[r, c] = Σ_p a[r, p]·b[p, c]</c>.</summary>
    private static void ScalarKernel(int quads, short* a, nint lda, sbyte* b, int* tile)
    {
        for (int r = 0; r < MR; r++)
        {
            short* row = a + (r * lda);
            for (int c = 0; c < NR; c++)
            {
                int sum = 0;
                for (int q = 0; q < quads; q++)
                {
                    sbyte* w = b + (((q * NR) + c) * 4);
                    short* x = row + (4 * q);
                    sum += (x[0] * w[0]) + (x[1] * w[1]) + (x[2] * w[2]) + (x[3] * w[3]);
                }

                tile[(r * NR) + c] = sum;
            }
        }
    }

#if NET9_0_OR_GREATER
    /// <summary>
    /// 6×16 with 12 ymm accumulators of <c>vpdpbusd</c>: per quad 2 loads of B (8 columns × 4 signed bytes each), 6
    /// broadcasts of a row's 4 unsigned bytes, 12 dot-products; then <c>128·Σ q_w</c> is subtracted (the activations carry
    /// a +128 offset to be unsigned).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VnniKernel(int quads, byte* a, nint lda, sbyte* b, int* offsetCorrection, int* tile)
    {
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<int> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        byte* a0 = a;
        byte* a1 = a0 + lda;
        byte* a2 = a1 + lda;
        byte* a3 = a2 + lda;
        byte* a4 = a3 + lda;
        byte* a5 = a4 + lda;
        for (int q = 0; q < quads; q++)
        {
            Vector256<sbyte> b0 = Avx.LoadAlignedVector256(b);
            Vector256<sbyte> b1 = Avx.LoadAlignedVector256(b + 32);
            Vector256<byte> x;
            x = Vector256.Create(*(int*)(a0 + (4 * q))).AsByte();
            c00 = AvxVnni.MultiplyWideningAndAdd(c00, x, b0);
            c01 = AvxVnni.MultiplyWideningAndAdd(c01, x, b1);
            x = Vector256.Create(*(int*)(a1 + (4 * q))).AsByte();
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, x, b0);
            c11 = AvxVnni.MultiplyWideningAndAdd(c11, x, b1);
            x = Vector256.Create(*(int*)(a2 + (4 * q))).AsByte();
            c20 = AvxVnni.MultiplyWideningAndAdd(c20, x, b0);
            c21 = AvxVnni.MultiplyWideningAndAdd(c21, x, b1);
            x = Vector256.Create(*(int*)(a3 + (4 * q))).AsByte();
            c30 = AvxVnni.MultiplyWideningAndAdd(c30, x, b0);
            c31 = AvxVnni.MultiplyWideningAndAdd(c31, x, b1);
            x = Vector256.Create(*(int*)(a4 + (4 * q))).AsByte();
            c40 = AvxVnni.MultiplyWideningAndAdd(c40, x, b0);
            c41 = AvxVnni.MultiplyWideningAndAdd(c41, x, b1);
            x = Vector256.Create(*(int*)(a5 + (4 * q))).AsByte();
            c50 = AvxVnni.MultiplyWideningAndAdd(c50, x, b0);
            c51 = AvxVnni.MultiplyWideningAndAdd(c51, x, b1);
            b += 64;
        }

        Vector256<int> k0 = Avx.LoadVector256(offsetCorrection);
        Vector256<int> k1 = Avx.LoadVector256(offsetCorrection + 8);
        Avx.Store(tile + 0, Avx2.Subtract(c00, k0));
        Avx.Store(tile + 8, Avx2.Subtract(c01, k1));
        Avx.Store(tile + 16, Avx2.Subtract(c10, k0));
        Avx.Store(tile + 24, Avx2.Subtract(c11, k1));
        Avx.Store(tile + 32, Avx2.Subtract(c20, k0));
        Avx.Store(tile + 40, Avx2.Subtract(c21, k1));
        Avx.Store(tile + 48, Avx2.Subtract(c30, k0));
        Avx.Store(tile + 56, Avx2.Subtract(c31, k1));
        Avx.Store(tile + 64, Avx2.Subtract(c40, k0));
        Avx.Store(tile + 72, Avx2.Subtract(c41, k1));
        Avx.Store(tile + 80, Avx2.Subtract(c50, k0));
        Avx.Store(tile + 88, Avx2.Subtract(c51, k1));
    }
#endif

    /// <summary>
    /// 6×16 with 12 zmm accumulators of <c>vpmaddwd</c>: per quad B's 64 bytes are sign-extended to two zmm of int16 (8
    /// columns × 4 each); a row's 4 int16 values are broadcast; each product lane sums 2 of a column's 4 products, and the
    /// two halves are added at the end (every integer sum is exact, so the order does not matter).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx512Kernel(int quads, short* a, nint lda, sbyte* b, int* tile)
    {
        Vector512<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<int> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        short* a0 = a;
        short* a1 = a0 + lda;
        short* a2 = a1 + lda;
        short* a3 = a2 + lda;
        short* a4 = a3 + lda;
        short* a5 = a4 + lda;
        for (int q = 0; q < quads; q++)
        {
            Vector512<short> b0 = Avx512BW.ConvertToVector512Int16(Avx.LoadAlignedVector256(b));
            Vector512<short> b1 = Avx512BW.ConvertToVector512Int16(Avx.LoadAlignedVector256(b + 32));
            Vector512<short> x;
            x = Vector512.Create(*(long*)(a0 + (4 * q))).AsInt16();
            c00 = Avx512F.Add(c00, Avx512BW.MultiplyAddAdjacent(b0, x));
            c01 = Avx512F.Add(c01, Avx512BW.MultiplyAddAdjacent(b1, x));
            x = Vector512.Create(*(long*)(a1 + (4 * q))).AsInt16();
            c10 = Avx512F.Add(c10, Avx512BW.MultiplyAddAdjacent(b0, x));
            c11 = Avx512F.Add(c11, Avx512BW.MultiplyAddAdjacent(b1, x));
            x = Vector512.Create(*(long*)(a2 + (4 * q))).AsInt16();
            c20 = Avx512F.Add(c20, Avx512BW.MultiplyAddAdjacent(b0, x));
            c21 = Avx512F.Add(c21, Avx512BW.MultiplyAddAdjacent(b1, x));
            x = Vector512.Create(*(long*)(a3 + (4 * q))).AsInt16();
            c30 = Avx512F.Add(c30, Avx512BW.MultiplyAddAdjacent(b0, x));
            c31 = Avx512F.Add(c31, Avx512BW.MultiplyAddAdjacent(b1, x));
            x = Vector512.Create(*(long*)(a4 + (4 * q))).AsInt16();
            c40 = Avx512F.Add(c40, Avx512BW.MultiplyAddAdjacent(b0, x));
            c41 = Avx512F.Add(c41, Avx512BW.MultiplyAddAdjacent(b1, x));
            x = Vector512.Create(*(long*)(a5 + (4 * q))).AsInt16();
            c50 = Avx512F.Add(c50, Avx512BW.MultiplyAddAdjacent(b0, x));
            c51 = Avx512F.Add(c51, Avx512BW.MultiplyAddAdjacent(b1, x));
            b += 64;
        }

        StorePairSums512(c00, c01, tile + 0);
        StorePairSums512(c10, c11, tile + 16);
        StorePairSums512(c20, c21, tile + 32);
        StorePairSums512(c30, c31, tile + 48);
        StorePairSums512(c40, c41, tile + 64);
        StorePairSums512(c50, c51, tile + 80);
    }

    /// <summary>
    /// <paramref name="low"/> holds columns 0–7 and <paramref name="high"/> columns 8–15 as adjacent pairs of partial sums;
    /// stores the 16 column sums in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePairSums512(Vector512<int> low, Vector512<int> high, int* destination)
    {
        Vector512<int> even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        Vector512<int> odd = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        Vector512<int> sums = Avx512F.Add(Avx512F.PermuteVar16x32x2(low, even, high), Avx512F.PermuteVar16x32x2(low, odd, high));
        Avx512F.Store(destination, sums);
    }

    /// <summary>
    /// 6×8 (half a panel: the caller runs it twice) with 12 ymm accumulators of <c>vpmaddwd</c>: per quad 2 × 16 bytes of B
    /// (4 columns × 4 each) sign-extended to int16, a row's 4 int16 values broadcast; pair sums are folded with
    /// <c>vphaddd</c>. Fits AVX2's 16 registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx2Kernel(int quads, short* a, nint lda, sbyte* b, int* tile)
    {
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<int> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        short* a0 = a;
        short* a1 = a0 + lda;
        short* a2 = a1 + lda;
        short* a3 = a2 + lda;
        short* a4 = a3 + lda;
        short* a5 = a4 + lda;
        for (int q = 0; q < quads; q++)
        {
            Vector256<short> b0 = Avx2.ConvertToVector256Int16(b);
            Vector256<short> b1 = Avx2.ConvertToVector256Int16(b + 16);
            Vector256<short> x;
            x = Vector256.Create(*(long*)(a0 + (4 * q))).AsInt16();
            c00 = Avx2.Add(c00, Avx2.MultiplyAddAdjacent(b0, x));
            c01 = Avx2.Add(c01, Avx2.MultiplyAddAdjacent(b1, x));
            x = Vector256.Create(*(long*)(a1 + (4 * q))).AsInt16();
            c10 = Avx2.Add(c10, Avx2.MultiplyAddAdjacent(b0, x));
            c11 = Avx2.Add(c11, Avx2.MultiplyAddAdjacent(b1, x));
            x = Vector256.Create(*(long*)(a2 + (4 * q))).AsInt16();
            c20 = Avx2.Add(c20, Avx2.MultiplyAddAdjacent(b0, x));
            c21 = Avx2.Add(c21, Avx2.MultiplyAddAdjacent(b1, x));
            x = Vector256.Create(*(long*)(a3 + (4 * q))).AsInt16();
            c30 = Avx2.Add(c30, Avx2.MultiplyAddAdjacent(b0, x));
            c31 = Avx2.Add(c31, Avx2.MultiplyAddAdjacent(b1, x));
            x = Vector256.Create(*(long*)(a4 + (4 * q))).AsInt16();
            c40 = Avx2.Add(c40, Avx2.MultiplyAddAdjacent(b0, x));
            c41 = Avx2.Add(c41, Avx2.MultiplyAddAdjacent(b1, x));
            x = Vector256.Create(*(long*)(a5 + (4 * q))).AsInt16();
            c50 = Avx2.Add(c50, Avx2.MultiplyAddAdjacent(b0, x));
            c51 = Avx2.Add(c51, Avx2.MultiplyAddAdjacent(b1, x));
            b += 64;
        }

        StorePairSums256(c00, c01, tile + 0);
        StorePairSums256(c10, c11, tile + 16);
        StorePairSums256(c20, c21, tile + 32);
        StorePairSums256(c30, c31, tile + 48);
        StorePairSums256(c40, c41, tile + 64);
        StorePairSums256(c50, c51, tile + 80);
    }

    /// <summary>
    /// <paramref name="low"/> holds columns 0–3 and <paramref name="high"/> columns 4–7 as adjacent pairs of partial sums.
    /// <c>vphaddd</c> gives <c>[c0 c1 c4 c5 | c2 c3 c6 c7]</c>; a 64-bit permute (0, 2, 1, 3) puts them in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePairSums256(Vector256<int> low, Vector256<int> high, int* destination)
    {
        Vector256<int> sums = Avx2.HorizontalAdd(low, high);
        Avx.Store(destination, Avx2.Permute4x64(sums.AsInt64(), 0b11_01_10_00).AsInt32());
    }
}
