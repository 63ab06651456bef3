using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.XClip;

/// <summary>The output of <see cref="XClipModel.Forward(TokenBatch, Tensor, ForwardOptions?)"/> (<c>XCLIPOutput</c>).</summary>
public sealed class XClipOutput
{
    internal XClipOutput(
        Tensor logitsPerVideo,
        Tensor logitsPerText,
        Tensor textEmbeds,
        Tensor videoEmbeds,
        EncoderOutput textModelOutput,
        EncoderOutput visionModelOutput,
        EncoderOutput mitOutput,
        float? loss)
    {
        LogitsPerVideo = logitsPerVideo;
        LogitsPerText = logitsPerText;
        TextEmbeds = textEmbeds;
        VideoEmbeds = videoEmbeds;
        TextModelOutput = textModelOutput;
        VisionModelOutput = visionModelOutput;
        MitOutput = mitOutput;
        Loss = loss;
    }

    /// <summary><c>logits_per_video [videos, texts]</c>: scaled cosine similarities of each video with each (video-conditioned) text.</summary>
    public Tensor LogitsPerVideo { get; }

    /// <summary><c>logits_per_text [texts, videos]</c>: the transpose of <see cref="LogitsPerVideo"/>.</summary>
    public Tensor LogitsPerText { get; }

    /// <summary><c>text_embeds [videos, texts, projection_dim]</c>: L2-normalised text embeddings, conditioned on each video by the prompt generator.</summary>
    public Tensor TextEmbeds { get; }

    /// <summary><c>video_embeds [videos, projection_dim]</c>: L2-normalised video embeddings (the MIT pooled output).</summary>
    public Tensor VideoEmbeds { get; }

    /// <summary><c>text_model_output</c>: the text tower's output.</summary>
    public EncoderOutput TextModelOutput { get; }

    /// <summary><c>vision_model_output</c>: the per-frame vision tower's output (frames flattened to <c>videos·num_frames</c>).</summary>
    public EncoderOutput VisionModelOutput { get; }

    /// <summary><c>mit_output</c>: the Multi-frame Integration Transformer's output.</summary>
    public EncoderOutput MitOutput { get; }

    /// <summary><c>loss</c>: the symmetric contrastive loss, when asked for (<see cref="ForwardOptions.ReturnLoss"/>).</summary>
    public float? Loss { get; }

    /// <summary>
    /// Every tensor under <c>transformers</c>' field names: <c>logits_per_video</c>, <c>logits_per_text</c>,
    /// <c>text_embeds</c>, <c>video_embeds</c>, <c>text_model_output.last_hidden_state</c>, <c>text_model_output.pooler_output</c>,
    /// <c>text_model_output.hidden_states.{i}</c>, <c>vision_model_output.*</c>, <c>mit_output.*</c>, and <c>loss</c> (shape <c>[]</c>) when computed.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> ToNamedTensors()
    {
        var map = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        if (Loss is float loss)
        {
            map["loss"] = new Tensor(new[] { loss });
        }

        map["logits_per_video"] = LogitsPerVideo;
        map["logits_per_text"] = LogitsPerText;
        map["text_embeds"] = TextEmbeds;
        map["video_embeds"] = VideoEmbeds;
        TextModelOutput.AddNamedTensors(map, "text_model_output.");
        VisionModelOutput.AddNamedTensors(map, "vision_model_output.");
        MitOutput.AddNamedTensors(map, "mit_output.");
        return map;
    }
}
