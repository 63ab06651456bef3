namespace Microsoft.ML.Clip.Modeling;

/// <summary>What a weight is for; a random initialiser uses it to draw sensible values.</summary>
public enum WeightRole
{
    /// <summary>A linear or convolution weight (drawn with standard deviation 1/√fan_in).</summary>
    Matrix,

    /// <summary>An additive bias (drawn small).</summary>
    Bias,

    /// <summary>A LayerNorm scale γ (ones).</summary>
    NormScale,

    /// <summary>A LayerNorm shift β (zeros).</summary>
    NormShift,

    /// <summary>An embedding table or learned position/class embedding (drawn with standard deviation 0.02).</summary>
    Embedding,

    /// <summary>A learned scale such as X-CLIP's prompt <c>alpha</c> (0.1).</summary>
    Scale,

    /// <summary>The CLIP <c>logit_scale</c> (a log; ln(1/0.07)).</summary>
    LogitScale,
}
