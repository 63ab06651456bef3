namespace Microsoft.ML.Clip.Modeling;

/// <summary>Optional outputs of a forward pass (<c>output_hidden_states</c>, <c>output_attentions</c>, <c>interpolate_pos_encoding</c>, <c>return_loss</c>).</summary>
public sealed record ForwardOptions
{
    /// <summary>The defaults: no hidden states, no attentions, native resolution only.</summary>
    public static ForwardOptions Default { get; } = new();

    /// <summary>Return every layer's hidden states (<c>output_hidden_states=True</c>).</summary>
    public bool OutputHiddenStates { get; init; }

    /// <summary>Return every layer's attention weights (<c>output_attentions=True</c>).</summary>
    public bool OutputAttentions { get; init; }

    /// <summary>
    /// Accept images of another size than the config's <c>image_size</c> by bicubically interpolating the position
    /// embeddings (<c>interpolate_pos_encoding=True</c>); the class position is kept.
    /// </summary>
    public bool InterpolatePositionEncoding { get; init; }

    /// <summary>
    /// Compute the symmetric contrastive loss (<c>return_loss=True</c>); it needs as many texts as images/videos, the
    /// matching pairs in the same order.
    /// </summary>
    public bool ReturnLoss { get; init; }
}
