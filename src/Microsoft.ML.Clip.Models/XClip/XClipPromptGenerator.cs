using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.XClip;

/// <summary>
/// The video-specific prompt generator (<c>XCLIPPromptGenerator</c>): <c>layernorm</c> on the visual tokens, then
/// <c>prompt_layers</c> decoder layers (cross-attention from text to video, then an MLP), scaled by the learned <c>alpha</c>.
/// </summary>
internal sealed class XClipPromptGenerator
{
    private readonly LayerNorm _layerNorm;
    private readonly PromptGeneratorLayer[] _decoder;
    private readonly Tensor _alpha;

    public XClipPromptGenerator(WeightScope weights, XClipConfig config)
    {
        int d = config.ProjectionDim;
        Activation activation = ActivationNames.Parse(config.PromptHiddenAct, "prompt_hidden_act", config.Source);
        _layerNorm = weights["layernorm"].LayerNorm(d, config.VisionConfig.LayerNormEps);
        WeightScope decoder = weights["decoder"];
        _decoder = Enumerable.Range(0, config.PromptLayers)
            .Select(i => new PromptGeneratorLayer(decoder[i], d, config.PromptNumAttentionHeads, activation, config.TextConfig.LayerNormEps))
            .ToArray();
        _alpha = weights.Tensor("alpha", WeightRole.Scale, d);
    }

    /// <summary><c>text [B, N, D]</c>, <c>visual [B, P, D]</c> → <c>alpha ⊙ decoded text</c>, <c>[B, N, D]</c>.</summary>
    public Tensor Forward(Tensor text, Tensor visual)
    {
        Tensor v = _layerNorm.Forward(visual);
        Tensor t = text;
        foreach (PromptGeneratorLayer layer in _decoder)
        {
            t = layer.Forward(t, v);
        }

        var result = new Tensor(t.Shape.ToArray());
        int d = _alpha.Length;
        for (int start = 0; start < t.Length; start += d)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(t.Span.Slice(start, d), _alpha.Span, result.Span.Slice(start, d));
        }

        return result;
    }

    /// <summary>
    /// One decoder layer (<c>PromptGeneratorLayer</c>): <c>x = x + cross_attn(norm1(x), visual, visual)</c>;
    /// <c>x = x + mlp(norm3(x))</c>, the MLP being <c>Linear(D, 4D)</c> (<c>mlp.0</c>) → activation → <c>Linear(4D, D)</c> (<c>mlp.3</c>).
    /// </summary>
    private sealed class PromptGeneratorLayer
    {
        private readonly XClipCrossAttention _crossAttention;
        private readonly LayerNorm _norm1;
        private readonly LayerNorm _norm3;
        private readonly Linear _mlpIn;
        private readonly Linear _mlpOut;
        private readonly Activation _activation;

        public PromptGeneratorLayer(WeightScope weights, int d, int heads, Activation activation, double epsilon)
        {
            _crossAttention = new XClipCrossAttention(weights["cross_attn"], d, heads);
            _norm1 = weights["norm1"].LayerNorm(d, epsilon);
            _norm3 = weights["norm3"].LayerNorm(d, epsilon);
            _mlpIn = weights["mlp"]["0"].Linear(d, 4 * d);
            _mlpOut = weights["mlp"]["3"].Linear(4 * d, d);
            _activation = activation;
        }

        public Tensor Forward(Tensor x, Tensor visual)
        {
            Tensor h = TensorOps.Add(x, _crossAttention.Forward(_norm1.Forward(x), visual));
            TensorOps.AddInPlace(h, _mlpOut.Forward(_mlpIn.Forward(_norm3.Forward(h), _activation)));
            return h;
        }
    }
}
