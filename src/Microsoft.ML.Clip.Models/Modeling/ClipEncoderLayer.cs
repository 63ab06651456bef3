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
    public Tensor Forward(Tensor hidden, EncoderMask mask, List<Tensor>? attentions)
    {
        // hidden: [batch, length, width]
        Tensor h = TensorOps.Add(hidden, SelfAttention.Forward(LayerNorm1.Forward(hidden), mask, attentions));
        TensorOps.AddInPlace(h, Mlp.Forward(LayerNorm2.Forward(h)));
        return h;
    }
}
