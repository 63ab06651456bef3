using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using static Microsoft.ML.Clip.Numerics.Kernels.GemmMicroKernels;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// Packs the B operand of a GEMM into panels of <see cref="GemmMicroKernels.NR"/> columns: panel <c>j</c> holds
/// <c>B[p, 64j … 64j+63]</c> for <c>p = 0 … k-1</c>, 64 contiguous floats per <c>p</c>, zero-padded past column <c>n</c>.
/// A packed B of <c>n</c> columns therefore takes <c>⌈n/64⌉·k·64</c> floats.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Floats one packed <c>[k, n]</c> operand takes.</summary>
    public static long PackedLength(int k, int n) => (long)Panels(n) * k * NR;

    /// <summary>Number of 64-column panels covering <paramref name="n"/> columns.</summary>
    public static int Panels(int n) => (n + NR - 1) / NR;

    /// <summary>Packs panel <paramref name="panel"/> of B stored row-major <c>[k, n]</c> (rows <paramref name="ldb"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackPanel(float* b, nint ldb, int k, int n, int panel, float* packed)
    {
        int j0 = panel * NR;
        int width = Math.Min(NR, n - j0);
        float* dst = packed + ((long)panel * k * NR);
        for (int p = 0; p < k; p++)
        {
            float* src = b + (p * ldb) + j0;
            float* row = dst + ((long)p * NR);
            new ReadOnlySpan<float>(src, width).CopyTo(new Span<float>(row, width));
            if (width < NR)
            {
                new Span<float>(row + width, NR - width).Clear();
            }
        }
    }

    /// <summary>
    /// Packs panel <paramref name="panel"/> of Bᵀ where B is stored row-major <c>[n, k]</c> (rows <paramref name="ldb"/> apart):
    /// the <c>nn.Linear</c> weight layout. With AVX-512, in 16×16 blocks transposed in registers (<see cref="BlockTranspose"/>),
    /// each group of 16 rows of B read in order; otherwise, and for the last <c>k mod 16</c> steps, in 64×64 blocks so
    /// reads and writes both stay in L1. The packed values are the same either way.
    /// </summary>
    /// <remarks>
    /// This is most of a model's first call, which packs every weight straight from the mapped checkpoint: element by
    /// element the transpose took ≈ 7 ns a float on this project's machine.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackPanelTransposed(float* b, nint ldb, int k, int n, int panel, float* packed)
    {
        int j0 = panel * NR;
        int width = Math.Min(NR, n - j0);
        float* dst = packed + ((long)panel * k * NR);
        int done = 0;
        if (Avx512F.IsSupported)
        {
            done = k & ~15;
            for (int c0 = 0; c0 < NR; c0 += 16)
            {
                // Rows of B past n (columns of the panel past width) are zeros: Transpose16 reads none of them.
                int rows = Math.Clamp(width - c0, 0, 16);
                float* src = b + ((j0 + c0) * ldb);
                for (int p0 = 0; p0 < done; p0 += 16)
                {
                    BlockTranspose.Transpose16(src + p0, ldb, rows, dst + ((long)p0 * NR) + c0, NR);
                }
            }
        }

        const int Block = 64;
        for (int p0 = done; p0 < k; p0 += Block)
        {
            int depth = Math.Min(Block, k - p0);
            for (int c = 0; c < width; c++)
            {
                float* src = b + ((j0 + c) * ldb) + p0;
                float* col = dst + ((long)p0 * NR) + c;
                for (int p = 0; p < depth; p++)
                {
                    col[p * NR] = src[p];
                }
            }

            for (int c = width; c < NR; c++)
            {
                float* col = dst + ((long)p0 * NR) + c;
                for (int p = 0; p < depth; p++)
                {
                    col[p * NR] = 0f;
                }
            }
        }
    }
}
