using System.Text.Json.Nodes;
using Microsoft.ML.Clip.Modeling;

namespace Microsoft.ML.Clip.AltClip;

/// <summary>
/// The AltCLIP vision tower's configuration (<c>AltCLIPVisionConfig</c>, <c>model_type = "altclip_vision_model"</c>), a CLIP ViT,
/// with the defaults of <c>transformers</c> 4.37.2. Note the class defaults are ViT-B/32 while <c>BAAI/AltCLIP</c> is ViT-L/14:
/// always read the checkpoint's <c>config.json</c>.
/// </summary>
public sealed record AltClipVisionConfig : PretrainedConfig
{
    private static readonly string[] Keys =
    [
        "hidden_size", "intermediate_size", "projection_dim", "num_hidden_layers", "num_attention_heads", "num_channels", "image_size",
        "patch_size", "hidden_act", "layer_norm_eps", "attention_dropout", "initializer_range", "initializer_factor",
    ];

    /// <summary>Creates a config with every default.</summary>
    public AltClipVisionConfig()
        : base(null, Keys, "AltClipVisionConfig defaults")
    {
    }

    internal AltClipVisionConfig(JsonObject json, string source)
        : base(json, Keys, source)
    {
        HiddenSize = ConfigJson.GetInt(json, "hidden_size", HiddenSize, source);
        IntermediateSize = ConfigJson.GetInt(json, "intermediate_size", IntermediateSize, source);
        ProjectionDim = ConfigJson.GetInt(json, "projection_dim", ProjectionDim, source);
        NumHiddenLayers = ConfigJson.GetInt(json, "num_hidden_layers", NumHiddenLayers, source);
        NumAttentionHeads = ConfigJson.GetInt(json, "num_attention_heads", NumAttentionHeads, source);
        NumChannels = ConfigJson.GetInt(json, "num_channels", NumChannels, source);
        ImageSize = ConfigJson.GetInt(json, "image_size", ImageSize, source);
        PatchSize = ConfigJson.GetInt(json, "patch_size", PatchSize, source);
        HiddenAct = ConfigJson.GetString(json, "hidden_act", HiddenAct, source);
        LayerNormEps = ConfigJson.GetDouble(json, "layer_norm_eps", LayerNormEps, source);
        AttentionDropout = ConfigJson.GetDouble(json, "attention_dropout", AttentionDropout, source);
        InitializerRange = ConfigJson.GetDouble(json, "initializer_range", InitializerRange, source);
        InitializerFactor = ConfigJson.GetDouble(json, "initializer_factor", InitializerFactor, source);
    }

    /// <summary><c>hidden_size</c> (768).</summary>
    public int HiddenSize { get; init; } = 768;

    /// <summary><c>intermediate_size</c> (3072).</summary>
    public int IntermediateSize { get; init; } = 3072;

    /// <summary><c>projection_dim</c> (512; unused: the model's own <c>projection_dim</c> sizes <c>visual_projection</c>).</summary>
    public int ProjectionDim { get; init; } = 512;

    /// <summary><c>num_hidden_layers</c> (12).</summary>
    public int NumHiddenLayers { get; init; } = 12;

    /// <summary><c>num_attention_heads</c> (12).</summary>
    public int NumAttentionHeads { get; init; } = 12;

    /// <summary><c>num_channels</c> (3).</summary>
    public int NumChannels { get; init; } = 3;

    /// <summary><c>image_size</c> (224).</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary><c>patch_size</c> (32).</summary>
    public int PatchSize { get; init; } = 32;

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
    private protected override string ExpectedModelType => "altclip_vision_model";

    /// <inheritdoc />
    private protected override bool IsNested => true;

    /// <summary>Checks the sizes a model needs.</summary>
    internal void Validate()
    {
        RequireDivisible(HiddenSize, "vision_config.hidden_size", NumAttentionHeads, "vision_config.num_attention_heads");
        RequirePositive(IntermediateSize, "vision_config.intermediate_size");
        RequirePositive(NumChannels, "vision_config.num_channels");
        RequirePositive(PatchSize, "vision_config.patch_size");
        RequirePositive(ImageSize, "vision_config.image_size");
        if (ImageSize < PatchSize)
        {
            throw new InvalidDataException($"'{Source}': vision_config.image_size ({ImageSize}) is smaller than vision_config.patch_size ({PatchSize}).");
        }

        if (NumHiddenLayers < 0)
        {
            RequirePositive(NumHiddenLayers, "vision_config.num_hidden_layers");
        }

        ActivationNames.Parse(HiddenAct, "vision_config.hidden_act", Source);
    }

    internal VisionTowerShape TowerShape() => new(
        HiddenSize, NumAttentionHeads, IntermediateSize, NumHiddenLayers, NumChannels, ImageSize, PatchSize, LayerNormEps,
        ActivationNames.Parse(HiddenAct, "vision_config.hidden_act", Source));

    /// <inheritdoc />
    private protected override void WriteModelFields(JsonObject target)
    {
        target["hidden_size"] = HiddenSize;
        target["intermediate_size"] = IntermediateSize;
        target["projection_dim"] = ProjectionDim;
        target["num_hidden_layers"] = NumHiddenLayers;
        target["num_attention_heads"] = NumAttentionHeads;
        target["num_channels"] = NumChannels;
        target["image_size"] = ImageSize;
        target["patch_size"] = PatchSize;
        target["hidden_act"] = HiddenAct;
        target["layer_norm_eps"] = ConfigJson.Float(LayerNormEps);
        target["attention_dropout"] = ConfigJson.Float(AttentionDropout);
        target["initializer_range"] = ConfigJson.Float(InitializerRange);
        target["initializer_factor"] = ConfigJson.Float(InitializerFactor);
    }
}
