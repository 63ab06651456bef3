using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.XClip;

/// <summary>
/// The Multi-frame Integration Transformer (<c>XCLIPMultiframeIntegrationTransformer</c>): projected frame features plus
/// a learned position embedding, CLIP encoder layers, a residual from the input <b>without</b> the position embedding, and
/// the mean over frames as the video embedding. No final LayerNorm.
/// </summary>
internal sealed class XClipMultiframeIntegrationTransformer
{
    private readonly Tensor _positionEmbedding;

    public XClipMultiframeIntegrationTransformer(WeightScope weights, XClipVisionConfig config)
    {
        int d = config.MitHiddenSize;
        Activation activation = ActivationNames.Parse(config.HiddenAct, "vision_config.hidden_act", config.Source);
        _positionEmbedding = weights.Tensor("position_embedding", WeightRole.Embedding, 1, config.NumFrames, d);
        WeightScope layers = weights["encoder"]["layers"];
        Encoder = new ClipEncoder(Enumerable.Range(0, config.MitNumHiddenLayers)
            .Select(i => (IEncoderLayer)new ClipEncoderLayer(layers[i], d, config.MitNumAttentionHeads, config.MitIntermediateSize, activation, config.LayerNormEps))
            .ToArray());
    }

    public ClipEncoder Encoder { get; }

    /// <summary><c>frames [B, T, D]</c> → last hidden state <c>[B, T, D]</c> and pooled (mean over T) <c>[B, D]</c>.</summary>
    public EncoderOutput Forward(Tensor frames, ForwardOptions options)
    {
        Tensor x = frames.Clone();
        TensorOps.AddBroadcast(x, _positionEmbedding.Span); // + position_embedding (1, T, D), per video
        List<Tensor>? hiddenStates = options.OutputHiddenStates ? new() : null;
        List<Tensor>? attentions = options.OutputAttentions ? new() : null;
        Tensor last = Encoder.Forward(x, EncoderMask.None, hiddenStates, attentions);
        last = TensorOps.Add(last, frames); // residual: the input without position embedding
        return new EncoderOutput(last, TensorOps.MeanOverAxis1(last), hiddenStates, attentions);
    }
}
