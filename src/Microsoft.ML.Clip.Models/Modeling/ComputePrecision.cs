namespace Microsoft.ML.Clip.Modeling;

/// <summary>The arithmetic a model's linear layers use.</summary>
public enum ComputePrecision
{
    /// <summary>Every layer in float32: the reference numerics, equal to <c>transformers</c>. The default.</summary>
    Float32 = 0,

    /// <summary>
    /// Opt-in reduced precision: the linear layers of the transformer encoder layers (attention q/k/v/out projections,
    /// MLP fc1/fc2, and X-CLIP's cross-frame, MIT and prompt-generator layers) run on int8 weights with per-output-channel
    /// symmetric scales, int8 activations quantized per row at run time, and int32 accumulation. Weights take about a
    /// quarter of the memory. The patch embedding, attention scores and values, layer norms and the final projections stay
    /// float32. Results differ from float32 (embedding cosine at least 0.9993 on the full-size random-weight benchmarks)
    /// and are bit-identical across instruction sets and thread counts.
    /// </summary>
    /// <remarks>
    /// One exception to int8 activations: the attention output projections (<c>out_proj</c>, XLM-R's
    /// <c>attention.output.dense</c>, the prompt generator's <c>proj</c>) quantize their input — the heads' contexts side
    /// by side — to 12 bits per row (<c>scale = max|x| / 2047</c>), still with int8 weights and exact int32 sums, on the
    /// int16 (<c>vpmaddwd</c>) kernels rather than VNNI. Measured on the 24-layer XLM-R-large text tower, int8 rounding of
    /// that input was most of the distance from float32 (cosine 0.99891 with int8 there, 0.99937 with 12 bits; per-head
    /// int8 scales reached only 0.99912), for about 8% of the matrix-product work on a slower kernel.
    /// </remarks>
    Int8 = 1,
}
