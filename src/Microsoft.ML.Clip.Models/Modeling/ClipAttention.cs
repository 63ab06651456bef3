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
        _output = weights["out_proj"].Linear(width, width);
        _heads = heads;
    }

    /// <summary>Self-attention over <c>x [batch, length, width]</c>; returns <c>[batch, length, width]</c>.</summary>
    public Tensor Forward(Tensor x, EncoderMask mask, List<Tensor>? attentions)
    {
        int batch = x.Dim(0), length = x.Dim(1), width = x.Dim(2);
        Tensor q = _query.Forward(x);
        Tensor k = _key.Forward(x);
        Tensor v = _value.Forward(x);
        var context = new Tensor(batch, length, width);
        var shape = new AttentionShape(batch, length, length, _heads, width / _heads);
        Tensor? weights = attentions is null ? null : new Tensor(batch, _heads, length, length);
        Attention.Forward(
            q.Span, k.Span, v.Span, context.Span, shape,
            scale: 1f / MathF.Sqrt(shape.HeadDim),
            keyPaddingMask: mask.Padding,
            causal: mask.Causal,
            probabilities: weights is null ? default : weights.Span);
        if (weights is not null)
        {
            attentions!.Add(weights);
        }

        return _output.Forward(context);
    }
}
