using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// A 16×16 float transpose in AVX-512 registers, for the attention kernels (Kᵀ of a head) and the GEMM's weight packing
/// (the <c>nn.Linear</c> layout <c>[out, in]</c> into panels of 64 output columns).
/// </summary>
internal static unsafe class BlockTranspose
{
    /// <summary>
    /// Transposes a 16×16 block: <c>dst[c·ldd + r] = src[r·lds + c]</c>, with rows <c>r ≥ rows</c> of the source taken as 0
    /// (not read). Three rounds of in-lane unpacks and 128-bit lane shuffles, 64 shuffles in all; only moves, so exact.
    /// <paramref name="dst"/> and <paramref name="ldd"/> keep every destination row 64-byte aligned; AVX-512 only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose16(float* src, nint lds, int rows, float* dst, nint ldd)
    {
        Vector512<float> r0 = Row(src, lds, rows, 0), r1 = Row(src, lds, rows, 1), r2 = Row(src, lds, rows, 2), r3 = Row(src, lds, rows, 3);
        Vector512<float> r4 = Row(src, lds, rows, 4), r5 = Row(src, lds, rows, 5), r6 = Row(src, lds, rows, 6), r7 = Row(src, lds, rows, 7);
        Vector512<float> r8 = Row(src, lds, rows, 8), r9 = Row(src, lds, rows, 9), r10 = Row(src, lds, rows, 10), r11 = Row(src, lds, rows, 11);
        Vector512<float> r12 = Row(src, lds, rows, 12), r13 = Row(src, lds, rows, 13), r14 = Row(src, lds, rows, 14), r15 = Row(src, lds, rows, 15);

        // Round 1, per 128-bit lane L (columns 4L…4L+3): pairs of rows interleaved.
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<float> t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5);
        Vector512<float> t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9);
        Vector512<float> t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13);
        Vector512<float> t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);

        // Round 2: u[4g + m] holds, in lane L, column 4L + m of rows 4g … 4g+3.
        Quads(t0, t1, t2, t3, out Vector512<float> u0, out Vector512<float> u1, out Vector512<float> u2, out Vector512<float> u3);
        Quads(t4, t5, t6, t7, out Vector512<float> u4, out Vector512<float> u5, out Vector512<float> u6, out Vector512<float> u7);
        Quads(t8, t9, t10, t11, out Vector512<float> u8, out Vector512<float> u9, out Vector512<float> u10, out Vector512<float> u11);
        Quads(t12, t13, t14, t15, out Vector512<float> u12, out Vector512<float> u13, out Vector512<float> u14, out Vector512<float> u15);

        // Round 3: column 4L + m gathers lane L of u[m], u[4 + m], u[8 + m], u[12 + m].
        Columns(u0, u4, u8, u12, dst, 0 * ldd, ldd);
        Columns(u1, u5, u9, u13, dst, 1 * ldd, ldd);
        Columns(u2, u6, u10, u14, dst, 2 * ldd, ldd);
        Columns(u3, u7, u11, u15, dst, 3 * ldd, ldd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(float* src, nint lds, int rows, int r) =>
        r < rows ? Avx512F.LoadVector512(src + (r * lds)) : Vector512<float>.Zero;

    /// <summary>From unpacked row pairs (t0, t1 of rows 0–1; t2, t3 of rows 2–3) to one vector per column within each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quads(
        Vector512<float> t0, Vector512<float> t1, Vector512<float> t2, Vector512<float> t3,
        out Vector512<float> m0, out Vector512<float> m1, out Vector512<float> m2, out Vector512<float> m3)
    {
        m0 = Avx512F.UnpackLow(t0.AsDouble(), t2.AsDouble()).AsSingle();
        m1 = Avx512F.UnpackHigh(t0.AsDouble(), t2.AsDouble()).AsSingle();
        m2 = Avx512F.UnpackLow(t1.AsDouble(), t3.AsDouble()).AsSingle();
        m3 = Avx512F.UnpackHigh(t1.AsDouble(), t3.AsDouble()).AsSingle();
    }

    /// <summary>
    /// Columns m, 4+m, 8+m, 12+m of the block (lanes 0–3 of <paramref name="a"/>…<paramref name="d"/>, rows 0–3, 4–7, 8–11,
    /// 12–15) stored at <c>dst + first + 4L·ldd</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d, float* dst, nint first, nint ldd)
    {
        Vector512<float> ab02 = Avx512F.Shuffle4x128(a, b, 0x88); // a.L0, a.L2, b.L0, b.L2
        Vector512<float> ab13 = Avx512F.Shuffle4x128(a, b, 0xDD); // a.L1, a.L3, b.L1, b.L3
        Vector512<float> cd02 = Avx512F.Shuffle4x128(c, d, 0x88);
        Vector512<float> cd13 = Avx512F.Shuffle4x128(c, d, 0xDD);
        Avx512F.StoreAligned(dst + first, Avx512F.Shuffle4x128(ab02, cd02, 0x88)); // lane 0 of a, b, c, d
        Avx512F.StoreAligned(dst + first + (4 * ldd), Avx512F.Shuffle4x128(ab13, cd13, 0x88)); // lane 1
        Avx512F.StoreAligned(dst + first + (8 * ldd), Avx512F.Shuffle4x128(ab02, cd02, 0xDD)); // lane 2
        Avx512F.StoreAligned(dst + first + (12 * ldd), Avx512F.Shuffle4x128(ab13, cd13, 0xDD)); // lane 3
    }
}
