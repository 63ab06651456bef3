using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.XClip;

/// <summary>
/// The prompt generator's cross-attention (<c>XCLIPCrossAttention</c>): text queries attend to a video's visual tokens.
/// <c>q_proj</c>/<c>k_proj</c>/<c>v_proj</c> have no bias, <c>proj</c> has one; the scale <c>(D/heads)^-½</c> is applied to QKᵀ.
/// </summary>
internal sealed class XClipCrossAttention
{
    private readonly Linear _query;
    private readonly Linear _key;
    private readonly Linear _value;
    private readonly Linear _projection;
    private readonly int _heads;

    public XClipCrossAttention(WeightScope weights, int width, int heads)
    {
        _query = weights["q_proj"].Linear(width, width, bias: false);
        _key = weights["k_proj"].Linear(width, width, bias: false);
        _value = weights["v_proj"].Linear(width, width, bias: false);
        _projection = weights["proj"].AttentionOutputLinear(width, width);
        _heads = heads;
    }

    /// <summary><c>queries [B, N, D]</c>, <c>keysValues [B, P, D]</c> → <c>[B, N, D]</c>.</summary>
    public Tensor Forward(Tensor queries, Tensor keysValues)
    {
        int batch = queries.Dim(0), n = queries.Dim(1), d = queries.Dim(2), p = keysValues.Dim(1);
        Tensor q = _query.Forward(queries);
        Tensor k = _key.Forward(keysValues);
        Tensor v = _value.Forward(keysValues);
        var context = new Tensor(batch, n, d);
        var shape = new AttentionShape(batch, n, p, _heads, d / _heads);
        Attention.Forward(q.Span, k.Span, v.Span, context.Span, shape, scale: 1f / MathF.Sqrt(shape.HeadDim));
        return _projection.Forward(context);
    }
}
