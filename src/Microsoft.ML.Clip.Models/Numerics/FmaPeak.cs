using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>
/// Measures the machine's single-core FMA peak — a register-only loop of independent fused multiply-add chains on the
/// widest vectors (16 on AVX-512, 12 on AVX2) — the yardstick for GEMM efficiency (<c>gemm.peak</c> in benchmarks).
/// </summary>
public static class FmaPeak
{
    /// <summary>Independent accumulator chains on AVX-512: enough to cover FMA latency × FMA ports on current x86 cores.</summary>
    private const int Chains = 16;

    /// <summary>
    /// Chains on AVX2, where there are 16 vector registers: 12 accumulators and the two operands fit (16 did not: two
    /// accumulators lived on the stack and the loop measured about half the peak), and 12 still cover 4-cycle latency × 2 ports.
    /// </summary>
    private const int Avx2Chains = 12;

    /// <summary>Floating-point operations one <see cref="Run"/> call performs (0 without FMA hardware).</summary>
    /// <param name="iterations">The loop count given to <see cref="Run"/>.</param>
    public static double Flops(long iterations) =>
        !Fma.IsSupported ? 0 : Avx512F.IsSupported ? iterations * Chains * 2.0 * 16 : iterations * Avx2Chains * 2.0 * 8;

    /// <summary>The best GFLOP/s of <paramref name="repeats"/> runs of <paramref name="iterations"/> iterations, on the calling thread.</summary>
    /// <param name="iterations">Loop iterations per run (20 million ≈ 40 ms on a 250 GFLOP/s core).</param>
    /// <param name="repeats">Runs; the best counts, since other processes may share the core.</param>
    /// <returns>GFLOP/s, or 0 on CPUs without x86 FMA.</returns>
    public static double MeasureGflops(long iterations = 20_000_000, int repeats = 7)
    {
        Run(iterations / 10); // warm up and tier up
        double best = 0;
        for (int r = 0; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Run(iterations);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, Flops(iterations) / seconds / 1e9);
        }

        return best;
    }

    /// <summary>The loop; returns a value so the work cannot be removed.</summary>
    /// <param name="iterations">Loop iterations.</param>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static float Run(long iterations)
    {
        if (Avx512F.IsSupported)
        {
            Vector512<float> m = Vector512.Create(0.999999f), x = Vector512.Create(1e-7f);
            Vector512<float> c0 = Vector512.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
            Vector512<float> c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
            for (long i = 0; i < iterations; i++)
            {
                c0 = Avx512F.FusedMultiplyAdd(c0, m, x); c1 = Avx512F.FusedMultiplyAdd(c1, m, x);
                c2 = Avx512F.FusedMultiplyAdd(c2, m, x); c3 = Avx512F.FusedMultiplyAdd(c3, m, x);
                c4 = Avx512F.FusedMultiplyAdd(c4, m, x); c5 = Avx512F.FusedMultiplyAdd(c5, m, x);
                c6 = Avx512F.FusedMultiplyAdd(c6, m, x); c7 = Avx512F.FusedMultiplyAdd(c7, m, x);
                c8 = Avx512F.FusedMultiplyAdd(c8, m, x); c9 = Avx512F.FusedMultiplyAdd(c9, m, x);
                c10 = Avx512F.FusedMultiplyAdd(c10, m, x); c11 = Avx512F.FusedMultiplyAdd(c11, m, x);
                c12 = Avx512F.FusedMultiplyAdd(c12, m, x); c13 = Avx512F.FusedMultiplyAdd(c13, m, x);
                c14 = Avx512F.FusedMultiplyAdd(c14, m, x); c15 = Avx512F.FusedMultiplyAdd(c15, m, x);
            }

            Vector512<float> s = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)) + ((c12 + c13) + (c14 + c15));
            return Vector512.Sum(s);
        }

        if (Fma.IsSupported)
        {
            Vector256<float> m = Vector256.Create(0.999999f), x = Vector256.Create(1e-7f);
            Vector256<float> c0 = Vector256.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
            Vector256<float> c8 = c0, c9 = c0, c10 = c0, c11 = c0;
            for (long i = 0; i < iterations; i++)
            {
                c0 = Fma.MultiplyAdd(c0, m, x); c1 = Fma.MultiplyAdd(c1, m, x);
                c2 = Fma.MultiplyAdd(c2, m, x); c3 = Fma.MultiplyAdd(c3, m, x);
                c4 = Fma.MultiplyAdd(c4, m, x); c5 = Fma.MultiplyAdd(c5, m, x);
                c6 = Fma.MultiplyAdd(c6, m, x); c7 = Fma.MultiplyAdd(c7, m, x);
                c8 = Fma.MultiplyAdd(c8, m, x); c9 = Fma.MultiplyAdd(c9, m, x);
                c10 = Fma.MultiplyAdd(c10, m, x); c11 = Fma.MultiplyAdd(c11, m, x);
            }

            Vector256<float> s = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
            return Vector256.Sum(s);
        }

        return 0f;
    }
}
