using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.AltClip;

/// <summary>
/// The AltCLIP vision tower (<c>AltCLIPVisionModel</c>): a CLIP ViT with <c>pre_layrnorm</c> (sic), quick-GELU layers and
/// <c>post_layernorm</c> on the class token. Get one from <see cref="AltClipModel.VisionModel"/>. Thread-safe.
/// </summary>
public sealed class AltClipVisionModel
{
    private readonly ClipVisionTransformer _transformer;

    internal AltClipVisionModel(WeightScope weights, AltClipVisionConfig config)
    {
        Config = config;
        VisionTowerShape shape = config.TowerShape();
        _transformer = new ClipVisionTransformer(
            weights["vision_model"], shape, "pre_layrnorm",
            layer => new ClipEncoderLayer(layer, shape.HiddenSize, shape.Heads, shape.IntermediateSize, shape.Activation, shape.LayerNormEpsilon));
    }

    /// <summary>The vision configuration.</summary>
    public AltClipVisionConfig Config { get; }

    /// <summary>
    /// Encodes images: <c>last_hidden_state [images, patches + 1, hidden]</c> and <c>pooler_output [images, hidden]</c>
    /// (<c>post_layernorm</c> of the class token).
    /// </summary>
    /// <param name="pixelValues"><c>[images, channels, image_size, image_size]</c> (other sizes with <see cref="ForwardOptions.InterpolatePositionEncoding"/>).</param>
    /// <param name="options">Hidden states / attentions / position interpolation; null for none.</param>
    /// <exception cref="ArgumentException">The shape is wrong.</exception>
    public EncoderOutput Forward(Tensor pixelValues, ForwardOptions? options = null) => Forward(pixelValues, options ?? ForwardOptions.Default, null);

    internal EncoderOutput Forward(Tensor pixelValues, ForwardOptions options, ForwardTrace? trace) => _transformer.Forward(pixelValues, options, trace);

    /// <summary>
    /// Only <c>pooler_output [images, hidden]</c>, bit-identical to <see cref="Forward(Tensor, ForwardOptions?)"/>'s, without
    /// the last layer's work on the patch tokens (for <c>get_image_features</c>).
    /// </summary>
    internal Tensor ForwardPooled(Tensor pixelValues, bool interpolatePositionEncoding) => _transformer.ForwardPooled(pixelValues, interpolatePositionEncoding);
}
