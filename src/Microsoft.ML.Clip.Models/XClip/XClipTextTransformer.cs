using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Clip.XClip;

/// <summary>
/// The X-CLIP text tower (<c>XCLIPTextTransformer</c>, identical to CLIP's): token + absolute position embeddings,
/// pre-LN layers with a causal mask and the padding mask, <c>final_layer_norm</c>, pooled at the first end-of-text token.
/// </summary>
internal sealed class XClipTextTransformer
{
    private readonly XClipTextConfig _config;
    private readonly Tensor _tokenEmbedding;
    private readonly Tensor _positionEmbedding;

    public XClipTextTransformer(WeightScope weights, XClipTextConfig config)
    {
        _config = config;
        int d = config.HiddenSize;
        Activation activation = ActivationNames.Parse(config.HiddenAct, "text_config.hidden_act", config.Source);
        _tokenEmbedding = weights["embeddings"]["token_embedding"].Tensor("weight", WeightRole.Embedding, config.VocabSize, d);
        _positionEmbedding = weights["embeddings"]["position_embedding"].Tensor("weight", WeightRole.Embedding, config.MaxPositionEmbeddings, d);
        WeightScope layers = weights["encoder"]["layers"];
        Encoder = new ClipEncoder(Enumerable.Range(0, config.NumHiddenLayers)
            .Select(i => (IEncoderLayer)new ClipEncoderLayer(layers[i], d, config.NumAttentionHeads, config.IntermediateSize, activation, config.LayerNormEps))
            .ToArray());
        FinalLayerNorm = weights["final_layer_norm"].LayerNorm(d, config.LayerNormEps);
    }

    public ClipEncoder Encoder { get; }

    public LayerNorm FinalLayerNorm { get; }

    /// <summary>Runs the tower: last hidden state <c>[texts, length, hidden]</c>, pooled <c>[texts, hidden]</c>.</summary>
    public EncoderOutput Forward(TokenBatch tokens, ForwardOptions options)
    {
        Validate(tokens);
        int n = tokens.Batch, d = _config.HiddenSize;
        Tensor h = Embed(tokens);
        List<Tensor>? hiddenStates = options.OutputHiddenStates ? new() : null;
        List<Tensor>? attentions = options.OutputAttentions ? new() : null;
        Tensor encoded = Encoder.Forward(h, Mask(tokens), hiddenStates, attentions);
        Tensor last = FinalLayerNorm.Forward(encoded); // [n, length, d]
        var pooled = new Tensor(n, d);
        TensorOps.SelectTokens(last, EndOfTextPositions(tokens), pooled.Span);
        return new EncoderOutput(last, pooled, hiddenStates, attentions);
    }

    /// <summary>
    /// Only the pooled output <c>[texts, hidden]</c>, bit-identical to <see cref="Forward"/>'s: the last layer computes the
    /// end-of-text row of each text only (under the causal mask it attends to the rows up to itself, as in the full pass).
    /// </summary>
    public Tensor ForwardPooled(TokenBatch tokens)
    {
        Validate(tokens);
        Tensor encoded = Encoder.ForwardRows(Embed(tokens), Mask(tokens), EndOfTextPositions(tokens)); // [n, d]
        return FinalLayerNorm.Forward(encoded);
    }

    /// <summary><c>h[b, i] = token_embedding[ids[b, i]] + position_embedding[i]</c>, <c>[texts, length, hidden]</c>.</summary>
    private Tensor Embed(TokenBatch tokens)
    {
        int n = tokens.Batch, length = tokens.Length, d = _config.HiddenSize;
        var h = new Tensor(n, length, d);
        for (int b = 0; b < n; b++)
        {
            ReadOnlySpan<long> ids = tokens.Ids(b);
            for (int i = 0; i < length; i++)
            {
                TensorPrimitives.Add(
                    _tokenEmbedding.Span.Slice((int)ids[i] * d, d),
                    _positionEmbedding.Span.Slice(i * d, d),
                    h.Span.Slice(((b * length) + i) * d, d));
            }
        }

        return h;
    }

    /// <summary>Causal mask plus the padding mask, both additive in <c>transformers</c>; the kernel applies them exactly.</summary>
    private static EncoderMask Mask(TokenBatch tokens) => new(tokens.MaskAsFloat(), Causal: true);

    /// <summary>Where each text is pooled: its end-of-text token, the first position of the largest id (padding reuses the same id).</summary>
    private static int[] EndOfTextPositions(TokenBatch tokens)
    {
        int[] positions = new int[tokens.Batch];
        for (int b = 0; b < tokens.Batch; b++)
        {
            ReadOnlySpan<long> ids = tokens.Ids(b);
            int eot = 0;
            for (int i = 1; i < tokens.Length; i++)
            {
                if (ids[i] > ids[eot])
                {
                    eot = i;
                }
            }

            positions[b] = eot;
        }

        return positions;
    }

    private void Validate(TokenBatch tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Length > _config.MaxPositionEmbeddings)
        {
            throw new ArgumentException(
                $"Sequence length must be less than max_position_embeddings (got `sequence length`: {tokens.Length} and max_position_embeddings: {_config.MaxPositionEmbeddings}). Truncate the texts to {_config.MaxPositionEmbeddings} tokens.",
                nameof(tokens));
        }

        foreach (long id in tokens.InputIds)
        {
            if (id < 0 || id >= _config.VocabSize)
            {
                throw new ArgumentException($"input_ids holds token id {id}, outside the vocabulary [0, {_config.VocabSize}) of this model. Was the text tokenized with this model's tokenizer?", nameof(tokens));
            }
        }
    }
}
