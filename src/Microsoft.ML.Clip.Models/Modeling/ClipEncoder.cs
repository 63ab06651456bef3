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

    /// <summary>
    /// Runs every layer but keeps, from the last one, only row <c>rows[b]</c> of each sequence <c>b</c>: <c>[batch, width]</c>,
    /// bit-identical to those rows of <see cref="Forward"/>'s result. For callers that pool one row (a class token, an
    /// end-of-text token): the last layer then skips the query, attention output and feed-forward of the other rows.
    /// </summary>
    /// <param name="embeddings">The input of the first layer, <c>[batch, length, width]</c>.</param>
    /// <param name="mask">The attention masks.</param>
    /// <param name="rows">One row index per sequence, each in <c>[0, length)</c>.</param>
    public Tensor ForwardRows(Tensor embeddings, EncoderMask mask, ReadOnlySpan<int> rows)
    {
        int batch = embeddings.Dim(0), length = embeddings.Dim(1);
        if (rows.Length != batch)
        {
            throw new ArgumentException($"One kept row per sequence is needed: {batch} sequences, {rows.Length} rows.", nameof(rows));
        }

        foreach (int row in rows)
        {
            if ((uint)row >= (uint)length)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"A kept row must be a position in [0, {length}).");
            }
        }

        if (Layers.Count == 0)
        {
            var selected = new Tensor(batch, embeddings.Dim(2));
            TensorOps.SelectTokens(embeddings, rows, selected.Span);
            return selected;
        }

        // The full layers alternate between two pooled buffers, as in Forward; the last layer reads one of them.
        Tensor h = embeddings;
        using var even = ScratchTensor.Rent(embeddings.Shape.ToArray());
        using var odd = ScratchTensor.Rent(embeddings.Shape.ToArray());
        for (int i = 0; i < Layers.Count - 1; i++)
        {
            h = Layers[i].Forward(h, mask, null, i % 2 == 0 ? even.Tensor : odd.Tensor);
        }

        return Layers[^1].ForwardRows(h, mask, rows);
    }
}
