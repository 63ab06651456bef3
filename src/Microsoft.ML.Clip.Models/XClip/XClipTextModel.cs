using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.XClip;

/// <summary>
/// The X-CLIP text tower on its own (<c>XCLIPTextModel</c>): token ids → hidden states and the pooled end-of-text state
/// (before <c>text_projection</c>). Get one from <see cref="XClipModel.TextModel"/>. Thread-safe.
/// </summary>
public sealed class XClipTextModel
{
    private readonly XClipTextTransformer _transformer;

    internal XClipTextModel(WeightScope weights, XClipTextConfig config)
    {
        Config = config;
        _transformer = new XClipTextTransformer(weights["text_model"], config);
    }

    /// <summary>The text configuration.</summary>
    public XClipTextConfig Config { get; }

    /// <summary>
    /// Encodes a batch of texts: <c>last_hidden_state [texts, length, hidden]</c> (after <c>final_layer_norm</c>) and
    /// <c>pooler_output [texts, hidden]</c> (the state at the first end-of-text token, i.e. the first position of the largest id).
    /// </summary>
    /// <param name="tokens">Ids and attention mask, <c>[texts, length]</c>, length ≤ <c>max_position_embeddings</c>.</param>
    /// <param name="options">Hidden states / attentions to return; null for none.</param>
    /// <exception cref="ArgumentException">The sequence is too long or an id is outside the vocabulary.</exception>
    public EncoderOutput Forward(TokenBatch tokens, ForwardOptions? options = null) =>
        _transformer.Forward(tokens, options ?? ForwardOptions.Default);

    /// <summary>
    /// Only <c>pooler_output [texts, hidden]</c>, bit-identical to <see cref="Forward"/>'s, without the last layer's work on
    /// the rows that are not pooled (for <c>get_text_features</c> and the logits, which read nothing else).
    /// </summary>
    internal Tensor ForwardPooled(TokenBatch tokens) => _transformer.ForwardPooled(tokens);
}
