namespace Microsoft.ML.Clip.Numerics;

/// <summary>Process-wide settings of the numerics kernels.</summary>
public static class NumericsOptions
{
    private static int s_maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>
    /// The most threads one kernel call (GEMM, attention) may use; defaults to <see cref="Environment.ProcessorCount"/>.
    /// Set 1 to run every kernel on the calling thread. Results are bit-identical whatever the value: work is split over
    /// output blocks and every reduction runs in the same order on one thread.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => Volatile.Read(ref s_maxDegreeOfParallelism);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_maxDegreeOfParallelism, value);
        }
    }

    /// <summary>The instruction set the GEMM kernels use on this machine: <c>Avx512</c>, <c>Avx2</c>, <c>Vector</c> or <c>Scalar</c>.</summary>
    public static string InstructionSet => Kernels.SimdLevelInfo.Best.ToString();

    /// <summary>
    /// The instruction set the int8 GEMM kernels (<see cref="Modeling.ComputePrecision.Int8"/>) use on this machine:
    /// <c>AvxVnni</c> (.NET 9 and later), <c>Avx512</c> (AVX-512BW), <c>Avx2</c> or <c>Scalar</c>.
    /// </summary>
    public static string Int8InstructionSet => Kernels.Int8LevelInfo.Best.ToString();
}
