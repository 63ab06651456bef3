namespace Microsoft.ML.Clip.Numerics;

/// <summary>An element-wise activation, applied on its own or fused into a <see cref="Linear"/> layer's output.</summary>
public enum Activation
{
    /// <summary>No activation (identity).</summary>
    None,

    /// <summary>CLIP's quick GELU: <c>x·σ(1.702·x)</c> (<c>hidden_act = "quick_gelu"</c>).</summary>
    QuickGelu,

    /// <summary>The exact GELU, <c>x·½·(1 + erf(x/√2))</c>, as <c>torch.nn.functional.gelu</c> (<c>hidden_act = "gelu"</c>).</summary>
    Gelu,

    /// <summary>The hyperbolic tangent.</summary>
    Tanh,
}
