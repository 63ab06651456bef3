using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.AltClip;

/// <summary>
/// The AltCLIP text tower (<c>AltCLIPTextModel</c>): XLM-RoBERTa (no pooler) → <c>pre_LN</c> → <c>transformation</c>
/// (hidden → <c>project_dim</c>, with bias); the pooled output is the first (<c>&lt;s&gt;</c>) token of the projection.
/// Get one from <see cref="AltClipModel.TextModel"/>. Thread-safe.
/// </summary>
public sealed class AltClipTextModel
{
    private readonly AltRobertaEmbeddings _embeddings;
    private readonly ClipEncoder _encoder;
    private readonly LayerNorm _preLayerNorm;
    private readonly Linear _transformation;

    internal AltClipTextModel(WeightScope weights, AltClipTextConfig config)
    {
        Config = config;
        WeightScope text = weights["text_model"];
        WeightScope roberta = text["roberta"];
        Activation activation = ActivationNames.Parse(config.HiddenAct, "text_config.hidden_act", config.Source);
        _embeddings = new AltRobertaEmbeddings(roberta["embeddings"], config);
        WeightScope layers = roberta["encoder"]["layer"];
        _encoder = new ClipEncoder(Enumerable.Range(0, config.NumHiddenLayers)
            .Select(i => (IEncoderLayer)new AltRobertaLayer(layers[i], config, activation))
            .ToArray());
        _preLayerNorm = text["pre_LN"].LayerNorm(config.HiddenSize, config.LayerNormEps);
        _transformation = text["transformation"].Linear(config.HiddenSize, config.ProjectDim, true, ComputePrecision.Float32); // the text tower's final projection stays float32
    }

    /// <summary>The text configuration.</summary>
    public AltClipTextConfig Config { get; }

    /// <summary>
    /// Encodes a batch of texts. <c>last_hidden_state</c> is the projection state <c>[texts, length, project_dim]</c>
    /// (<c>transformation(pre_LN(xlmr_output))</c>), <c>pooler_output</c> its first token <c>[texts, project_dim]</c>, and
    /// <c>hidden_states</c> (when asked) the XLM-R states <c>[texts, length, hidden_size]</c>: the embeddings, then each layer.
    /// </summary>
    /// <param name="tokens">Ids and attention mask, <c>[texts, length]</c>, padded with <c>pad_token_id</c> (1).</param>
    /// <param name="options">Hidden states / attentions to return; null for none.</param>
    /// <exception cref="ArgumentException">An id is outside the vocabulary or the sequence is too long for the position table.</exception>
    public EncoderOutput Forward(TokenBatch tokens, ForwardOptions? options = null) => Forward(tokens, options ?? ForwardOptions.Default, null);

    internal EncoderOutput Forward(TokenBatch tokens, ForwardOptions options, ForwardTrace? trace)
    {
        long[] positionIds = _embeddings.PositionIds(Validate(tokens));
        ValidatePositions(positionIds);
        if (trace is not null)
        {
            trace.Record("text_position_ids", new Tensor(positionIds.Select(p => (float)p).ToArray(), tokens.Batch, tokens.Length));
        }

        Tensor embeddings = _embeddings.Forward(tokens, positionIds); // [n, L, hidden]
        trace?.Record("text_embeddings", embeddings);
        List<Tensor>? hiddenStates = options.OutputHiddenStates ? new() : null;
        List<Tensor>? attentions = options.OutputAttentions ? new() : null;
        Tensor sequence = _encoder.Forward(embeddings, new EncoderMask(tokens.MaskAsFloat(), Causal: false), hiddenStates, attentions);
        Tensor normalized = _preLayerNorm.Forward(sequence);
        trace?.Record("text_pre_LN", normalized);
        Tensor projectionState = _transformation.Forward(normalized); // [n, L, project_dim]
        return new EncoderOutput(projectionState, TensorOps.SelectToken(projectionState, 0), hiddenStates, attentions);
    }

    /// <summary>
    /// Only <c>pooler_output [texts, project_dim]</c>, bit-identical to <see cref="Forward(TokenBatch, ForwardOptions?)"/>'s:
    /// the last XLM-R layer, <c>pre_LN</c> and <c>transformation</c> compute the <c>&lt;s&gt;</c> row of each text only.
    /// </summary>
    internal Tensor ForwardPooled(TokenBatch tokens)
    {
        long[] positionIds = _embeddings.PositionIds(Validate(tokens));
        ValidatePositions(positionIds);
        Tensor embeddings = _embeddings.Forward(tokens, positionIds); // [n, L, hidden]
        int[] firstTokens = new int[tokens.Batch]; // row 0 (<s>) of every text
        Tensor sequence = _encoder.ForwardRows(embeddings, new EncoderMask(tokens.MaskAsFloat(), Causal: false), firstTokens); // [n, hidden]
        return _transformation.Forward(_preLayerNorm.Forward(sequence)); // [n, project_dim]
    }

    private TokenBatch Validate(TokenBatch tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        foreach (long id in tokens.InputIds)
        {
            if (id < 0 || id >= Config.VocabSize)
            {
                throw new ArgumentException(
                    $"input_ids holds token id {id}, outside the vocabulary [0, {Config.VocabSize}) of this model. Was the text tokenized with this model's tokenizer?",
                    nameof(tokens));
            }
        }

        return tokens;
    }

    private void ValidatePositions(long[] positionIds)
    {
        long largest = positionIds.Max();
        if (largest >= Config.MaxPositionEmbeddings)
        {
            int limit = Config.MaxPositionEmbeddings - (Config.PadTokenId ?? 1) - 1;
            throw new ArgumentException(
                $"A text has more tokens than this model's position table allows (position id {largest}, max_position_embeddings {Config.MaxPositionEmbeddings}): truncate the texts to {limit} tokens.",
                "tokens");
        }
    }
}
