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
        if (hiddenStates is not null || Layers.Count < 3)
        {
            // Every layer's output is kept (or there is nothing to reuse): each layer returns a new tensor.
            hiddenStates?.Add(h);
            foreach (IEncoderLayer layer in Layers)
            {
                h = layer.Forward(h, mask, attentions);
                hiddenStates?.Add(h);
            }

            return h;
        }

        // Only the last output leaves the encoder: the others alternate between two pooled buffers (a layer reads one
        // and writes the other), so a forward pass leaves one layer output of garbage instead of one per layer.
        using var even = ScratchTensor.Rent(embeddings.Shape.ToArray());
        using var odd = ScratchTensor.Rent(embeddings.Shape.ToArray());
        for (int i = 0; i < Layers.Count; i++)
        {
            Tensor? target = i == Layers.Count - 1 ? null : (i % 2 == 0 ? even.Tensor : odd.Tensor);
            h = Layers[i].Forward(h, mask, attentions, target);
        }

        return h;
    }
}
