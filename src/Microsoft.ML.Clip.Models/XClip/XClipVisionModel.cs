using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.XClip;

/// <summary>
/// The X-CLIP cross-frame vision tower on its own (<c>XCLIPVisionModel</c>): every frame of every video through the ViT
/// in one batch, with message tokens exchanged among the frames of each video. Get one from
/// <see cref="XClipModel.VisionModel"/>. Thread-safe.
/// </summary>
public sealed class XClipVisionModel
{
    private readonly ClipVisionTransformer _transformer;

    internal XClipVisionModel(WeightScope weights, XClipVisionConfig config)
    {
        Config = config;
        Activation activation = ActivationNames.Parse(config.HiddenAct, "vision_config.hidden_act", config.Source);
        _transformer = new ClipVisionTransformer(
            weights["vision_model"], config.TowerShape(), "pre_layernorm", layer => new XClipVisionEncoderLayer(layer, config, activation));
    }

    /// <summary>The vision configuration.</summary>
    public XClipVisionConfig Config { get; }

    /// <summary>
    /// Encodes videos frame by frame: <c>last_hidden_state [videos·frames, patches + 1, hidden]</c> (frames flattened,
    /// frame index = video·num_frames + t) and <c>pooler_output [videos·frames, hidden]</c> (<c>post_layernorm</c> of the class token).
    /// </summary>
    /// <param name="pixelValues"><c>[videos, num_frames, channels, height, width]</c>, or the frames already flattened to <c>[videos·num_frames, channels, height, width]</c>.</param>
    /// <param name="options">Hidden states / attentions / position interpolation; null for none.</param>
    /// <exception cref="ArgumentException">The shape is wrong or the frame count is not the config's <c>num_frames</c>.</exception>
    public EncoderOutput Forward(Tensor pixelValues, ForwardOptions? options = null) =>
        Forward(pixelValues, options ?? ForwardOptions.Default, null);

    internal EncoderOutput Forward(Tensor pixelValues, ForwardOptions options, ForwardTrace? trace) =>
        _transformer.Forward(FlattenFrames(pixelValues, Config), options, trace);

    /// <summary>
    /// Only <c>pooler_output [videos·frames, hidden]</c>, bit-identical to <see cref="Forward(Tensor, ForwardOptions?)"/>'s, without
    /// the last layer's work on the patch tokens (for <c>get_video_features</c>, which reads nothing else).
    /// </summary>
    internal Tensor ForwardPooled(Tensor pixelValues) => _transformer.ForwardPooled(FlattenFrames(pixelValues, Config), interpolatePositionEncoding: false);

    /// <summary>Checks <c>[B, T, C, H, W]</c> (T = num_frames) or <c>[B·T, C, H, W]</c> and returns the frames as <c>[B·T, C, H, W]</c>.</summary>
    internal static Tensor FlattenFrames(Tensor pixelValues, XClipVisionConfig config)
    {
        ArgumentNullException.ThrowIfNull(pixelValues);
        int t = config.NumFrames;
        if (pixelValues.Rank == 5)
        {
            if (pixelValues.Dim(1) != t)
            {
                throw new ArgumentException(
                    $"pixel_values {pixelValues} has {pixelValues.Dim(1)} frames per video, but this model's config has num_frames = {t}; sample exactly {t} frames per video.",
                    nameof(pixelValues));
            }

            return pixelValues.Reshape(pixelValues.Dim(0) * t, pixelValues.Dim(2), pixelValues.Dim(3), pixelValues.Dim(4));
        }

        if (pixelValues.Rank == 4)
        {
            if (pixelValues.Dim(0) % t != 0 || pixelValues.Dim(0) == 0)
            {
                throw new ArgumentException(
                    $"pixel_values {pixelValues} holds {pixelValues.Dim(0)} frames, which is not a positive multiple of this model's num_frames = {t}; frames of different videos would be mixed.",
                    nameof(pixelValues));
            }

            return pixelValues;
        }

        throw new ArgumentException(
            $"pixel_values must be [videos, {t}, {config.NumChannels}, {config.ImageSize}, {config.ImageSize}] (or frames flattened to rank 4); got {pixelValues}.",
            nameof(pixelValues));
    }
}
