namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>How an int8 linear layer quantizes its input rows at run time (its weights are int8 either way).</summary>
internal enum Int8Activations
{
    /// <summary>
    /// Symmetric int8 per row, <c>scale = max|x| / 127</c>: the default, and the fastest (AVX-VNNI's u8 × s8 products).
    /// </summary>
    Int8,

    /// <summary>
    /// Symmetric 12-bit per row, <c>scale = max|x| / 2047</c>, held as int16: steps 16× finer than int8, products on the
    /// int16 <c>vpmaddwd</c> kernels (AVX-512BW, AVX2, scalar), never VNNI's unsigned bytes. For the attention output
    /// projections, whose input (the heads' contexts side by side) int8 rounds worst.
    /// </summary>
    Int12,
}

/// <summary>The ranges of <see cref="Int8Activations"/>.</summary>
internal static class Int8ActivationsInfo
{
    /// <summary>The largest magnitude of a quantized activation: 127 or 2047.</summary>
    public static int MaxLevel(this Int8Activations activations) => activations == Int8Activations.Int12 ? 2047 : Int8Quantization.MaxLevel;

    /// <summary>
    /// The longest reduction whose int32 sums cannot overflow with these activations: <c>k·a·127 &lt; 2³¹</c>, where
    /// <c>a</c> is the largest activation a kernel multiplies (255 for VNNI's offset bytes <c>q + 128</c>, 2047 for int12).
    /// </summary>
    public static int MaxReduction(this Int8Activations activations) =>
        int.MaxValue / ((activations == Int8Activations.Int12 ? 2047 : 255) * Int8Quantization.MaxLevel);
}
