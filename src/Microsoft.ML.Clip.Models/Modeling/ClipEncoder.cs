using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>A stack of encoder layers (<c>CLIPEncoder</c>), optionally recording every hidden state and attention map.</summary>
internal sealed class ClipEncoder
{
    public ClipEncoder(IReadOnlyList<IEncoderLayer> layers) => Layers = layers;

    public IReadOnlyList<IEncoderLayer> Layers { get; }

    /// <summary>
    /// Runs every layer. <paramref name="hiddenStates"/>, when given, receives the input and then each layer's output
    /// (<c>num_layers + 1</c> tensors, as <c>transformers</c>' <c>hidden_states</c>).
    /// </summary>
    public Tensor Forward(Tensor embeddings, EncoderMask mask, List<Tensor>? hiddenStates, List<Tensor>? attentions)
    {
        Tensor h = embeddings;
        hiddenStates?.Add(h);
        foreach (IEncoderLayer layer in Layers)
        {
            h = layer.Forward(h, mask, attentions);
            hiddenStates?.Add(h);
        }

        return h;
    }
}
