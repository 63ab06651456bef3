namespace Microsoft.ML.Clip.Modeling;

/// <summary>The masks of one self-attention call: an optional key padding mask and/or causality.</summary>
/// <param name="Padding">Null, or <c>[batch, length]</c> with 1 for tokens to attend to and 0 for padding.</param>
/// <param name="Causal">When true, token <c>i</c> attends only to tokens <c>j ≤ i</c>.</param>
internal readonly record struct EncoderMask(float[]? Padding, bool Causal)
{
    /// <summary>No mask (vision: every token sees every token).</summary>
    public static EncoderMask None => default;
}
