namespace Microsoft.ML.Clip.Modeling;

/// <summary>The arithmetic a model's linear layers use.</summary>
public enum ComputePrecision
{
    /// <summary>Every layer in float32: the reference numerics, equal to <c>transformers</c>. The default.</summary>
    Float32 = 0,

    /// <summary>
    /// Opt-in reduced precision: the linear layers of the transformer encoder layers (attention q/k/v projections, MLP
    /// fc1/fc2, and X-CLIP's cross-frame, MIT and prompt-generator layers) run on int8 weights with per-output-channel
    /// symmetric scales, int8 activations quantized per row at run time, and int32 accumulation. Those weights take about
    /// a quarter of the memory. The patch embedding, attention scores and values, the attention output projections (their
    /// output goes straight into the residual stream), layer norms and the final projections stay float32. Results differ
    /// from float32 (embedding cosine above 0.999 on every benchmarked model) and are bit-identical across instruction
    /// sets and thread counts.
    /// </summary>
    Int8 = 1,
}
