using System.Text.Json.Nodes;
using Microsoft.ML.Clip.Modeling;

namespace Microsoft.ML.Clip.AltClip;

/// <summary>
/// The AltCLIP text tower's configuration (<c>AltCLIPTextConfig</c>, <c>model_type = "altclip_text_model"</c>): an
/// XLM-RoBERTa encoder plus <c>project_dim</c>, with the defaults of <c>transformers</c> 4.37.2 (those of <c>BAAI/AltCLIP</c>).
/// </summary>
public sealed record AltClipTextConfig : PretrainedConfig
{
    private static readonly string[] Keys =
    [
        "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "hidden_act", "hidden_dropout_prob",
        "attention_probs_dropout_prob", "max_position_embeddings", "type_vocab_size", "initializer_range", "initializer_factor",
        "layer_norm_eps", "position_embedding_type", "use_cache", "project_dim",
    ];

    private static readonly Dictionary<string, JsonNode?> CommonOverrides = new()
    {
        ["pad_token_id"] = 1,
        ["bos_token_id"] = 0,
        ["eos_token_id"] = 2,
    };

    /// <summary>Creates a config with every default.</summary>
    public AltClipTextConfig()
        : base(null, Keys, "AltClipTextConfig defaults", CommonOverrides)
    {
    }

    internal AltClipTextConfig(JsonObject json, string source)
        : base(json, Keys, source, CommonOverrides)
    {
        VocabSize = ConfigJson.GetInt(json, "vocab_size", VocabSize, source);
        HiddenSize = ConfigJson.GetInt(json, "hidden_size", HiddenSize, source);
        NumHiddenLayers = ConfigJson.GetInt(json, "num_hidden_layers", NumHiddenLayers, source);
        NumAttentionHeads = ConfigJson.GetInt(json, "num_attention_heads", NumAttentionHeads, source);
        IntermediateSize = ConfigJson.GetInt(json, "intermediate_size", IntermediateSize, source);
        HiddenAct = ConfigJson.GetString(json, "hidden_act", HiddenAct, source);
        HiddenDropoutProb = ConfigJson.GetDouble(json, "hidden_dropout_prob", HiddenDropoutProb, source);
        AttentionProbsDropoutProb = ConfigJson.GetDouble(json, "attention_probs_dropout_prob", AttentionProbsDropoutProb, source);
        MaxPositionEmbeddings = ConfigJson.GetInt(json, "max_position_embeddings", MaxPositionEmbeddings, source);
        TypeVocabSize = ConfigJson.GetInt(json, "type_vocab_size", TypeVocabSize, source);
        InitializerRange = ConfigJson.GetDouble(json, "initializer_range", InitializerRange, source);
        InitializerFactor = ConfigJson.GetDouble(json, "initializer_factor", InitializerFactor, source);
        LayerNormEps = ConfigJson.GetDouble(json, "layer_norm_eps", LayerNormEps, source);
        PositionEmbeddingType = ConfigJson.GetString(json, "position_embedding_type", PositionEmbeddingType, source);
        UseCache = ConfigJson.GetBool(json, "use_cache", UseCache, source);
        ProjectDim = ConfigJson.GetInt(json, "project_dim", ProjectDim, source);
    }

    /// <summary><c>vocab_size</c> (250002).</summary>
    public int VocabSize { get; init; } = 250002;

    /// <summary><c>hidden_size</c>: the XLM-R width (1024).</summary>
    public int HiddenSize { get; init; } = 1024;

    /// <summary><c>num_hidden_layers</c> (24).</summary>
    public int NumHiddenLayers { get; init; } = 24;

    /// <summary><c>num_attention_heads</c> (16).</summary>
    public int NumAttentionHeads { get; init; } = 16;

    /// <summary><c>intermediate_size</c> (4096).</summary>
    public int IntermediateSize { get; init; } = 4096;

    /// <summary><c>hidden_act</c> ("gelu": the exact erf GELU).</summary>
    public string HiddenAct { get; init; } = "gelu";

    /// <summary><c>hidden_dropout_prob</c> (0.1; unused at inference).</summary>
    public double HiddenDropoutProb { get; init; } = 0.1;

    /// <summary><c>attention_probs_dropout_prob</c> (0.1; unused at inference).</summary>
    public double AttentionProbsDropoutProb { get; init; } = 0.1;

    /// <summary><c>max_position_embeddings</c> (514: with the RoBERTa offset, at most 512 tokens).</summary>
    public int MaxPositionEmbeddings { get; init; } = 514;

    /// <summary><c>type_vocab_size</c> (1).</summary>
    public int TypeVocabSize { get; init; } = 1;

    /// <summary><c>initializer_range</c> (0.02; training only).</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary><c>initializer_factor</c> (0.02; training only).</summary>
    public double InitializerFactor { get; init; } = 0.02;

    /// <summary><c>layer_norm_eps</c> (1e-5).</summary>
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary><c>position_embedding_type</c> ("absolute", the only kind AltCLIP uses).</summary>
    public string PositionEmbeddingType { get; init; } = "absolute";

    /// <summary><c>use_cache</c> (true; irrelevant for an encoder).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary><c>project_dim</c>: the width of <c>transformation</c>'s output, the text features before <c>text_projection</c> (768).</summary>
    public int ProjectDim { get; init; } = 768;

    /// <inheritdoc />
    private protected override string ExpectedModelType => "altclip_text_model";

    /// <inheritdoc />
    private protected override bool IsNested => true;

    /// <summary>Checks the sizes a model needs.</summary>
    internal void Validate()
    {
        RequirePositive(VocabSize, "text_config.vocab_size");
        RequireDivisible(HiddenSize, "text_config.hidden_size", NumAttentionHeads, "text_config.num_attention_heads");
        RequirePositive(IntermediateSize, "text_config.intermediate_size");
        RequirePositive(MaxPositionEmbeddings, "text_config.max_position_embeddings");
        RequirePositive(TypeVocabSize, "text_config.type_vocab_size");
        RequirePositive(ProjectDim, "text_config.project_dim");
        if (NumHiddenLayers < 0)
        {
            RequirePositive(NumHiddenLayers, "text_config.num_hidden_layers");
        }

        if (PositionEmbeddingType != "absolute")
        {
            throw new NotSupportedException(
                $"'{Source}': text_config.position_embedding_type = \"{PositionEmbeddingType}\" is not supported; AltCLIP checkpoints use \"absolute\".");
        }

        if (PadTokenId is not int pad || pad < 0 || pad >= MaxPositionEmbeddings)
        {
            throw new InvalidDataException(
                $"'{Source}': text_config.pad_token_id ({PadTokenId?.ToString() ?? "null"}) must be a token id below max_position_embeddings; RoBERTa position ids are counted from it.");
        }

        ActivationNames.Parse(HiddenAct, "text_config.hidden_act", Source);
    }

    /// <inheritdoc />
    private protected override void WriteModelFields(JsonObject target)
    {
        target["vocab_size"] = VocabSize;
        target["hidden_size"] = HiddenSize;
        target["num_hidden_layers"] = NumHiddenLayers;
        target["num_attention_heads"] = NumAttentionHeads;
        target["intermediate_size"] = IntermediateSize;
        target["hidden_act"] = HiddenAct;
        target["hidden_dropout_prob"] = ConfigJson.Float(HiddenDropoutProb);
        target["attention_probs_dropout_prob"] = ConfigJson.Float(AttentionProbsDropoutProb);
        target["max_position_embeddings"] = MaxPositionEmbeddings;
        target["type_vocab_size"] = TypeVocabSize;
        target["initializer_range"] = ConfigJson.Float(InitializerRange);
        target["initializer_factor"] = ConfigJson.Float(InitializerFactor);
        target["layer_norm_eps"] = ConfigJson.Float(LayerNormEps);
        target["position_embedding_type"] = PositionEmbeddingType;
        target["use_cache"] = UseCache;
        target["project_dim"] = ProjectDim;
    }
}
