using System.Text.Json.Nodes;
using Microsoft.ML.Clip.Modeling;

namespace Microsoft.ML.Clip.XClip;

/// <summary>
/// The X-CLIP text tower's configuration (<c>XCLIPTextConfig</c>, <c>model_type = "xclip_text_model"</c>), with the
/// defaults of <c>transformers</c> 4.37.2 (those of <c>microsoft/xclip-base-patch32</c>).
/// </summary>
public sealed record XClipTextConfig : PretrainedConfig
{
    private static readonly string[] Keys =
    [
        "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
        "max_position_embeddings", "hidden_act", "layer_norm_eps", "attention_dropout", "initializer_range", "initializer_factor",
    ];

    private static readonly Dictionary<string, JsonNode?> CommonOverrides = new()
    {
        ["pad_token_id"] = 1,
        ["bos_token_id"] = 0,
        ["eos_token_id"] = 2,
    };

    /// <summary>Creates a config with every default.</summary>
    public XClipTextConfig()
        : base(null, Keys, "XClipTextConfig defaults", CommonOverrides)
    {
    }

    internal XClipTextConfig(JsonObject json, string source)
        : base(json, Keys, source, CommonOverrides)
    {
        VocabSize = ConfigJson.GetInt(json, "vocab_size", VocabSize, source);
        HiddenSize = ConfigJson.GetInt(json, "hidden_size", HiddenSize, source);
        IntermediateSize = ConfigJson.GetInt(json, "intermediate_size", IntermediateSize, source);
        NumHiddenLayers = ConfigJson.GetInt(json, "num_hidden_layers", NumHiddenLayers, source);
        NumAttentionHeads = ConfigJson.GetInt(json, "num_attention_heads", NumAttentionHeads, source);
        MaxPositionEmbeddings = ConfigJson.GetInt(json, "max_position_embeddings", MaxPositionEmbeddings, source);
        HiddenAct = ConfigJson.GetString(json, "hidden_act", HiddenAct, source);
        LayerNormEps = ConfigJson.GetDouble(json, "layer_norm_eps", LayerNormEps, source);
        AttentionDropout = ConfigJson.GetDouble(json, "attention_dropout", AttentionDropout, source);
        InitializerRange = ConfigJson.GetDouble(json, "initializer_range", InitializerRange, source);
        InitializerFactor = ConfigJson.GetDouble(json, "initializer_factor", InitializerFactor, source);
    }

    /// <summary><c>vocab_size</c>: the number of token ids (49408).</summary>
    public int VocabSize { get; init; } = 49408;

    /// <summary><c>hidden_size</c>: the text transformer width (512).</summary>
    public int HiddenSize { get; init; } = 512;

    /// <summary><c>intermediate_size</c>: the MLP width (2048).</summary>
    public int IntermediateSize { get; init; } = 2048;

    /// <summary><c>num_hidden_layers</c> (12).</summary>
    public int NumHiddenLayers { get; init; } = 12;

    /// <summary><c>num_attention_heads</c> (8).</summary>
    public int NumAttentionHeads { get; init; } = 8;

    /// <summary><c>max_position_embeddings</c>: the longest token sequence (77).</summary>
    public int MaxPositionEmbeddings { get; init; } = 77;

    /// <summary><c>hidden_act</c> ("quick_gelu").</summary>
    public string HiddenAct { get; init; } = "quick_gelu";

    /// <summary><c>layer_norm_eps</c> (1e-5).</summary>
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary><c>attention_dropout</c> (0; unused at inference).</summary>
    public double AttentionDropout { get; init; }

    /// <summary><c>initializer_range</c> (0.02; training only).</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary><c>initializer_factor</c> (1.0; training only).</summary>
    public double InitializerFactor { get; init; } = 1.0;

    /// <inheritdoc />
    private protected override string ExpectedModelType => "xclip_text_model";

    /// <inheritdoc />
    private protected override bool IsNested => true;

    /// <summary>Checks the sizes a model needs.</summary>
    internal void Validate()
    {
        RequirePositive(VocabSize, "text_config.vocab_size");
        RequireDivisible(HiddenSize, "text_config.hidden_size", NumAttentionHeads, "text_config.num_attention_heads");
        RequirePositive(IntermediateSize, "text_config.intermediate_size");
        RequirePositive(MaxPositionEmbeddings, "text_config.max_position_embeddings");
        if (NumHiddenLayers < 0)
        {
            RequirePositive(NumHiddenLayers, "text_config.num_hidden_layers");
        }

        ActivationNames.Parse(HiddenAct, "text_config.hidden_act", Source);
    }

    /// <inheritdoc />
    private protected override void WriteModelFields(JsonObject target)
    {
        target["vocab_size"] = VocabSize;
        target["hidden_size"] = HiddenSize;
        target["intermediate_size"] = IntermediateSize;
        target["num_hidden_layers"] = NumHiddenLayers;
        target["num_attention_heads"] = NumAttentionHeads;
        target["max_position_embeddings"] = MaxPositionEmbeddings;
        target["hidden_act"] = HiddenAct;
        target["layer_norm_eps"] = ConfigJson.Float(LayerNormEps);
        target["attention_dropout"] = ConfigJson.Float(AttentionDropout);
        target["initializer_range"] = ConfigJson.Float(InitializerRange);
        target["initializer_factor"] = ConfigJson.Float(InitializerFactor);
    }
}
