using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>One core's fused multiply-add peak: a loop of independent FMA chains that never touches memory.</summary>
internal static class FmaPeak
{
    /// <summary>Independent accumulators: enough to hide FMA latency on both FMA ports of current x86 cores.</summary>
    private const int Chains = 12;

    /// <summary>Floating-point operations of <see cref="Run"/> (two per lane per FMA), or 0 without FMA.</summary>
    /// <param name="iterations">Loop iterations.</param>
    public static double Flops(long iterations) =>
        Avx512F.IsSupported ? iterations * Chains * 2.0 * 16
        : Fma.IsSupported ? iterations * Chains * 2.0 * 8
        : 0;

    /// <summary>Runs the loop on the calling thread; returns a value so the work cannot be removed.</summary>
    /// <param name="iterations">Loop iterations.</param>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static float Run(long iterations)
    {
        if (Avx512F.IsSupported)
        {
            Vector512<float> m = Vector512.Create(0.999999f), x = Vector512.Create(1e-7f);
            Vector512<float> c0 = Vector512.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
            for (long i = 0; i < iterations; i++)
            {
                c0 = Avx512F.FusedMultiplyAdd(c0, m, x); c1 = Avx512F.FusedMultiplyAdd(c1, m, x); c2 = Avx512F.FusedMultiplyAdd(c2, m, x);
                c3 = Avx512F.FusedMultiplyAdd(c3, m, x); c4 = Avx512F.FusedMultiplyAdd(c4, m, x); c5 = Avx512F.FusedMultiplyAdd(c5, m, x);
                c6 = Avx512F.FusedMultiplyAdd(c6, m, x); c7 = Avx512F.FusedMultiplyAdd(c7, m, x); c8 = Avx512F.FusedMultiplyAdd(c8, m, x);
                c9 = Avx512F.FusedMultiplyAdd(c9, m, x); c10 = Avx512F.FusedMultiplyAdd(c10, m, x); c11 = Avx512F.FusedMultiplyAdd(c11, m, x);
            }

            return Vector512.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
        }

        if (Fma.IsSupported)
        {
            Vector256<float> m = Vector256.Create(0.999999f), x = Vector256.Create(1e-7f);
            Vector256<float> c0 = Vector256.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
            for (long i = 0; i < iterations; i++)
            {
                c0 = Fma.MultiplyAdd(c0, m, x); c1 = Fma.MultiplyAdd(c1, m, x); c2 = Fma.MultiplyAdd(c2, m, x);
                c3 = Fma.MultiplyAdd(c3, m, x); c4 = Fma.MultiplyAdd(c4, m, x); c5 = Fma.MultiplyAdd(c5, m, x);
                c6 = Fma.MultiplyAdd(c6, m, x); c7 = Fma.MultiplyAdd(c7, m, x); c8 = Fma.MultiplyAdd(c8, m, x);
                c9 = Fma.MultiplyAdd(c9, m, x); c10 = Fma.MultiplyAdd(c10, m, x); c11 = Fma.MultiplyAdd(c11, m, x);
            }

            return Vector256.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
        }

        return 0f;
    }
}
