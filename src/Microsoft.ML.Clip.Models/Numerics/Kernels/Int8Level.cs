using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>The instruction-set paths of the int8 GEMM kernels, best last. Tests force each supported one.</summary>
/// <remarks>
/// Every path computes the same exact int32 sums and the same float epilogue, so results are bit-identical across paths.
/// (.NET 10 exposes VNNI only as the 256-bit VEX <c>AvxVnni</c> — no 512-bit VNNI class — and on .NET 8 that class is a
/// preview feature, so the VNNI path is built for .NET 9 and later only.)
/// </remarks>
internal enum Int8Level
{
    /// <summary>Plain scalar code: the reference.</summary>
    Scalar,

    /// <summary>AVX2: <c>vpmaddwd</c> on int16-widened values (exact, no <c>vpmaddubsw</c> saturation).</summary>
    Avx2,

    /// <summary>AVX-512BW: <c>vpmaddwd</c> on int16-widened values, 512 bits wide.</summary>
    Avx512,

    /// <summary>AVX-VNNI: <c>vpdpbusd</c> (u8 × s8 → int32, four products a lane), 256 bits wide.</summary>
    AvxVnni,
}

/// <summary>Which <see cref="Int8Level"/> paths this CPU and runtime support.</summary>
internal static class Int8LevelInfo
{
    /// <summary>The fastest supported path, chosen once at start-up.</summary>
    public static readonly Int8Level Best = Detect();

    /// <summary>True when <paramref name="level"/> can run here.</summary>
    public static bool IsSupported(Int8Level level) => level switch
    {
        Int8Level.Scalar => true,
        Int8Level.Avx2 => Avx2.IsSupported,
        Int8Level.Avx512 => Avx512BW.IsSupported,
#if NET9_0_OR_GREATER
        Int8Level.AvxVnni => AvxVnni.IsSupported,
#endif
        _ => false,
    };

    /// <summary>Whether the path reads the activations as unsigned bytes (<c>q + 128</c>) rather than as int16.</summary>
    public static bool UsesUnsignedBytes(Int8Level level) => level == Int8Level.AvxVnni;

    private static Int8Level Detect()
    {
        for (Int8Level level = Int8Level.AvxVnni; level > Int8Level.Scalar; level--)
        {
            if (IsSupported(level))
            {
                return level;
            }
        }

        return Int8Level.Scalar;
    }
}
