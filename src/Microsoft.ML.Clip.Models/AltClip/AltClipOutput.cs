using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.AltClip;

/// <summary>The output of <see cref="AltClipModel.Forward(TokenBatch, Tensor, ForwardOptions?)"/> (<c>AltCLIPOutput</c>).</summary>
public sealed class AltClipOutput
{
    internal AltClipOutput(
        Tensor logitsPerImage, Tensor logitsPerText, Tensor textEmbeds, Tensor imageEmbeds, EncoderOutput textModelOutput, EncoderOutput visionModelOutput, float? loss)
    {
        LogitsPerImage = logitsPerImage;
        LogitsPerText = logitsPerText;
        TextEmbeds = textEmbeds;
        ImageEmbeds = imageEmbeds;
        TextModelOutput = textModelOutput;
        VisionModelOutput = visionModelOutput;
        Loss = loss;
    }

    /// <summary><c>logits_per_image [images, texts]</c>: scaled cosine similarities.</summary>
    public Tensor LogitsPerImage { get; }

    /// <summary><c>logits_per_text [texts, images]</c>: the transpose of <see cref="LogitsPerImage"/>.</summary>
    public Tensor LogitsPerText { get; }

    /// <summary><c>text_embeds [texts, projection_dim]</c>, L2-normalised.</summary>
    public Tensor TextEmbeds { get; }

    /// <summary><c>image_embeds [images, projection_dim]</c>, L2-normalised.</summary>
    public Tensor ImageEmbeds { get; }

    /// <summary>
    /// <c>text_model_output</c>: its <c>last_hidden_state</c> is the projection state (<c>transformation</c> output,
    /// <c>project_dim</c> wide), its <c>pooler_output</c> the first token of it, its hidden states the XLM-R states.
    /// </summary>
    public EncoderOutput TextModelOutput { get; }

    /// <summary><c>vision_model_output</c>.</summary>
    public EncoderOutput VisionModelOutput { get; }

    /// <summary><c>loss</c>: the symmetric contrastive loss, when asked for (<see cref="ForwardOptions.ReturnLoss"/>).</summary>
    public float? Loss { get; }

    /// <summary>
    /// Every tensor under <c>transformers</c>' field names: <c>logits_per_image</c>, <c>logits_per_text</c>, <c>text_embeds</c>,
    /// <c>image_embeds</c>, <c>text_model_output.*</c>, <c>vision_model_output.*</c>, and <c>loss</c> (shape <c>[]</c>) when computed.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> ToNamedTensors()
    {
        var map = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        if (Loss is float loss)
        {
            map["loss"] = new Tensor(new[] { loss });
        }

        map["logits_per_image"] = LogitsPerImage;
        map["logits_per_text"] = LogitsPerText;
        map["text_embeds"] = TextEmbeds;
        map["image_embeds"] = ImageEmbeds;
        TextModelOutput.AddNamedTensors(map, "text_model_output.");
        VisionModelOutput.AddNamedTensors(map, "vision_model_output.");
        return map;
    }
}
