using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// CLIP multi-head attention (<c>CLIPAttention</c> / <c>XCLIPAttention</c>): <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>,
/// softmax(q·kᵀ·head_dim^-½ + masks)·v, <c>out_proj</c>. Also used for X-CLIP's <c>message_attn</c>.
/// </summary>
internal sealed class ClipAttention
{
    private readonly Linear _query;
    private readonly Linear _key;
    private readonly Linear _value;
    private readonly Linear _output;
    private readonly int _heads;

    public ClipAttention(WeightScope weights, int width, int heads)
    {
        _query = weights["q_proj"].Linear(width, width);
        _key = weights["k_proj"].Linear(width, width);
        _value = weights["v_proj"].Linear(width, width);
        _output = weights["out_proj"].AttentionOutputLinear(width, width);
        _heads = heads;
    }

    /// <summary>Self-attention over <c>x [batch, length, width]</c> into a new <c>[batch, length, width]</c> tensor.</summary>
    public Tensor Forward(Tensor x, EncoderMask mask, List<Tensor>? attentions)
    {
        var output = new Tensor(x.Shape.ToArray());
        Forward(x, output.Span, mask, attentions);
        return output;
    }

    /// <summary>Self-attention over <c>x [batch, length, width]</c>, written to <paramref name="output"/> (<c>[batch, length, width]</c>).</summary>
    public void Forward(Tensor x, Span<float> output, EncoderMask mask, List<Tensor>? attentions) =>
        Forward(x, x.Span, x.Dim(1), default, output, mask, attentions);

    /// <summary>
    /// Self-attention of one query row per sequence: row <c>rows[b]</c> of <c>x [batch, length, width]</c> attends to every
    /// row of its sequence (keys and values are projected from all of <paramref name="x"/>; under the causal mask, to rows
    /// <c>≤ rows[b]</c>). Writes <paramref name="output"/> <c>[batch, width]</c>, the same values as those rows of
    /// <see cref="Forward(Tensor, Span{float}, EncoderMask, List{Tensor}?)"/>.
    /// </summary>
    public void ForwardRows(Tensor x, ReadOnlySpan<int> rows, Span<float> output, EncoderMask mask)
    {
        int batch = x.Dim(0), width = x.Dim(2);
        using var queries = ScratchTensor.Rent(batch, width);
        TensorOps.SelectTokens(x, rows, queries.Span);
        Forward(x, queries.Span, 1, rows, output, mask, null);
    }

    /// <summary>
    /// The attention of <paramref name="queryLength"/> query rows per sequence (<paramref name="queryInput"/>
    /// <c>[batch, queryLength, width]</c>, at key positions <paramref name="queryPositions"/>, or 0… when empty) over the
    /// rows of <c>x [batch, length, width]</c>, written to <paramref name="output"/> <c>[batch, queryLength, width]</c>.
    /// </summary>
    private void Forward(
        Tensor x, ReadOnlySpan<float> queryInput, int queryLength, ReadOnlySpan<int> queryPositions, Span<float> output, EncoderMask mask, List<Tensor>? attentions)
    {
        int batch = x.Dim(0), length = x.Dim(1), width = x.Dim(2), rows = batch * length, queryRows = batch * queryLength;
        using var q = ScratchTensor.Rent(batch, queryLength, width);
        using var k = ScratchTensor.Rent(batch, length, width);
        using var v = ScratchTensor.Rent(batch, length, width);
        using var context = ScratchTensor.Rent(batch, queryLength, width);
        _query.Forward(queryInput, q.Span, queryRows);
        _key.Forward(x.Span, k.Span, rows);
        _value.Forward(x.Span, v.Span, rows);
        var shape = new AttentionShape(batch, queryLength, length, _heads, width / _heads);
        Tensor? weights = attentions is null ? null : new Tensor(batch, _heads, queryLength, length);
        Attention.Forward(
            q.Span, k.Span, v.Span, context.Span, shape,
            scale: 1f / MathF.Sqrt(shape.HeadDim),
            keyPaddingMask: mask.Padding,
            causal: mask.Causal,
            probabilities: weights is null ? default : weights.Span,
            queryPositions: queryPositions);
        if (weights is not null)
        {
            attentions!.Add(weights);
        }

        _output.Forward(context.Span, output, queryRows);
    }
}
