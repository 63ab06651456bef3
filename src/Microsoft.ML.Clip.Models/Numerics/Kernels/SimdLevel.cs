using System.Numerics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>The instruction-set paths of the kernels, best last. Tests force each supported one.</summary>
internal enum SimdLevel
{
    /// <summary>Plain scalar code with <see cref="MathF.FusedMultiplyAdd"/>.</summary>
    Scalar,

    /// <summary><see cref="Vector{T}"/> of the machine's preferred width.</summary>
    Vector,

    /// <summary>256-bit AVX2 with FMA3.</summary>
    Avx2,

    /// <summary>512-bit AVX-512F.</summary>
    Avx512,
}

/// <summary>Which <see cref="SimdLevel"/> paths this CPU and runtime support.</summary>
internal static class SimdLevelInfo
{
    /// <summary>The fastest supported path, chosen once at start-up.</summary>
    public static readonly SimdLevel Best = Detect();

    /// <summary>True when <paramref name="level"/> can run here.</summary>
    public static bool IsSupported(SimdLevel level) => level switch
    {
        SimdLevel.Scalar => true,
        SimdLevel.Vector => Vector.IsHardwareAccelerated,
        SimdLevel.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        SimdLevel.Avx512 => Avx512F.IsSupported,
        _ => false,
    };

    private static SimdLevel Detect()
    {
        for (SimdLevel level = SimdLevel.Avx512; level > SimdLevel.Scalar; level--)
        {
            if (IsSupported(level))
            {
                return level;
            }
        }

        return SimdLevel.Scalar;
    }
}
