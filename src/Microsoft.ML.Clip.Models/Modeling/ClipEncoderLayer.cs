using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// The pre-LN CLIP transformer block (<c>CLIPEncoderLayer</c> / <c>XCLIPEncoderLayer</c>):
/// <c>h = h + self_attn(layer_norm1(h))</c>; <c>h = h + mlp(layer_norm2(h))</c>.
/// Used by the X-CLIP text tower and MIT and by the AltCLIP vision tower.
/// </summary>
internal sealed class ClipEncoderLayer : IEncoderLayer
{
    public ClipEncoderLayer(WeightScope weights, int width, int heads, int intermediate, Activation activation, double epsilon)
    {
        SelfAttention = new ClipAttention(weights["self_attn"], width, heads);
        LayerNorm1 = weights["layer_norm1"].LayerNorm(width, epsilon);
        Mlp = new ClipMlp(weights["mlp"], width, intermediate, activation);
        LayerNorm2 = weights["layer_norm2"].LayerNorm(width, epsilon);
    }

    public ClipAttention SelfAttention { get; }

    public LayerNorm LayerNorm1 { get; }

    public ClipMlp Mlp { get; }

    public LayerNorm LayerNorm2 { get; }

    /// <inheritdoc />
    public Tensor Forward(Tensor hidden, EncoderMask mask, List<Tensor>? attentions, Tensor? output = null)
    {
        // hidden: [batch, length, width]; only the returned h is allocated, the temporaries are pooled.
        int[] shape = hidden.Shape.ToArray();
        int rows = hidden.Length / LayerNorm1.Width;
        using var normalized = ScratchTensor.Rent(shape);
        using var update = ScratchTensor.Rent(shape);

        LayerNorm1.Forward(hidden.Span, normalized.Span, rows);
        SelfAttention.Forward(normalized.Tensor, update.Span, mask, attentions);
        Tensor h = EncoderOutputBuffer.For(output, shape); // written whole by the residual add below

        // h = hidden + attention; h = h + mlp(layer_norm2(h)).
        Mlp.ForwardResidual(LayerNorm2, hidden.Span, update.Span, h.Span, normalized.Span, update.Span, rows, rows, rows);
        return h;
    }

    /// <inheritdoc />
    public Tensor ForwardRows(Tensor hidden, EncoderMask mask, ReadOnlySpan<int> rows)
    {
        // Keys and values need layer_norm1 of every row [batch, length, width]; the rest runs on one row per sequence.
        int batch = hidden.Dim(0), width = LayerNorm1.Width;
        using var normalized = ScratchTensor.Rent(hidden.Shape.ToArray());
        LayerNorm1.Forward(hidden.Span, normalized.Span, hidden.Length / width);
        using var update = ScratchTensor.Rent(batch, width);
        SelfAttention.ForwardRows(normalized.Tensor, rows, update.Span, mask); // [batch, width]

        // h = hidden[rows] + attention; normalized2 = layer_norm2(h); h = h + mlp(normalized2).          [batch, width]
        using var residual = ScratchTensor.Rent(batch, width);
        TensorOps.SelectTokens(hidden, rows, residual.Span);
        using var normalized2 = ScratchTensor.Rent(batch, width);
        var h = new Tensor(batch, width);
        Mlp.ForwardResidual(LayerNorm2, residual.Span, update.Span, h.Span, normalized2.Span, update.Span, batch, batch, batch);
        return h;
    }
}
