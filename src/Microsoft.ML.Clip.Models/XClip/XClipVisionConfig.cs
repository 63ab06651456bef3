using System.Text.Json.Nodes;
using Microsoft.ML.Clip.Modeling;

namespace Microsoft.ML.Clip.XClip;

/// <summary>
/// The X-CLIP vision tower's configuration (<c>XCLIPVisionConfig</c>, <c>model_type = "xclip_vision_model"</c>): the
/// per-frame ViT, the frame count and the Multi-frame Integration Transformer (MIT), with <c>transformers</c> 4.37.2 defaults.
/// </summary>
public sealed record XClipVisionConfig : PretrainedConfig
{
    private static readonly string[] Keys =
    [
        "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "mit_hidden_size", "mit_intermediate_size",
        "mit_num_hidden_layers", "mit_num_attention_heads", "num_channels", "image_size", "patch_size", "num_frames", "hidden_act",
        "layer_norm_eps", "attention_dropout", "initializer_range", "initializer_factor", "drop_path_rate",
    ];

    /// <summary>Creates a config with every default.</summary>
    public XClipVisionConfig()
        : base(null, Keys, "XClipVisionConfig defaults")
    {
    }

    internal XClipVisionConfig(JsonObject json, string source)
        : base(json, Keys, source)
    {
        HiddenSize = ConfigJson.GetInt(json, "hidden_size", HiddenSize, source);
        IntermediateSize = ConfigJson.GetInt(json, "intermediate_size", IntermediateSize, source);
        NumHiddenLayers = ConfigJson.GetInt(json, "num_hidden_layers", NumHiddenLayers, source);
        NumAttentionHeads = ConfigJson.GetInt(json, "num_attention_heads", NumAttentionHeads, source);
        MitHiddenSize = ConfigJson.GetInt(json, "mit_hidden_size", MitHiddenSize, source);
        MitIntermediateSize = ConfigJson.GetInt(json, "mit_intermediate_size", MitIntermediateSize, source);
        MitNumHiddenLayers = ConfigJson.GetInt(json, "mit_num_hidden_layers", MitNumHiddenLayers, source);
        MitNumAttentionHeads = ConfigJson.GetInt(json, "mit_num_attention_heads", MitNumAttentionHeads, source);
        NumChannels = ConfigJson.GetInt(json, "num_channels", NumChannels, source);
        ImageSize = ConfigJson.GetInt(json, "image_size", ImageSize, source);
        PatchSize = ConfigJson.GetInt(json, "patch_size", PatchSize, source);
        NumFrames = ConfigJson.GetInt(json, "num_frames", NumFrames, source);
        HiddenAct = ConfigJson.GetString(json, "hidden_act", HiddenAct, source);
        LayerNormEps = ConfigJson.GetDouble(json, "layer_norm_eps", LayerNormEps, source);
        AttentionDropout = ConfigJson.GetDouble(json, "attention_dropout", AttentionDropout, source);
        InitializerRange = ConfigJson.GetDouble(json, "initializer_range", InitializerRange, source);
        InitializerFactor = ConfigJson.GetDouble(json, "initializer_factor", InitializerFactor, source);
        DropPathRate = ConfigJson.GetDouble(json, "drop_path_rate", DropPathRate, source);
    }

    /// <summary><c>hidden_size</c>: the ViT width (768).</summary>
    public int HiddenSize { get; init; } = 768;

    /// <summary><c>intermediate_size</c>: the ViT MLP width (3072).</summary>
    public int IntermediateSize { get; init; } = 3072;

    /// <summary><c>num_hidden_layers</c> (12).</summary>
    public int NumHiddenLayers { get; init; } = 12;

    /// <summary><c>num_attention_heads</c> (12), also used by the message attention.</summary>
    public int NumAttentionHeads { get; init; } = 12;

    /// <summary><c>mit_hidden_size</c>: the MIT width (512); it must equal the model's <c>projection_dim</c>.</summary>
    public int MitHiddenSize { get; init; } = 512;

    /// <summary><c>mit_intermediate_size</c> (2048).</summary>
    public int MitIntermediateSize { get; init; } = 2048;

    /// <summary><c>mit_num_hidden_layers</c> (1).</summary>
    public int MitNumHiddenLayers { get; init; } = 1;

    /// <summary><c>mit_num_attention_heads</c> (8).</summary>
    public int MitNumAttentionHeads { get; init; } = 8;

    /// <summary><c>num_channels</c> (3).</summary>
    public int NumChannels { get; init; } = 3;

    /// <summary><c>image_size</c>: frame side in pixels (224).</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary><c>patch_size</c> (32).</summary>
    public int PatchSize { get; init; } = 32;

    /// <summary><c>num_frames</c>: frames per video, fixed by the weights (8).</summary>
    public int NumFrames { get; init; } = 8;

    /// <summary><c>hidden_act</c> ("quick_gelu"), for the ViT and the MIT.</summary>
    public string HiddenAct { get; init; } = "quick_gelu";

    /// <summary><c>layer_norm_eps</c> (1e-5).</summary>
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary><c>attention_dropout</c> (0; unused at inference).</summary>
    public double AttentionDropout { get; init; }

    /// <summary><c>initializer_range</c> (0.02; training only).</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary><c>initializer_factor</c> (1.0; training only).</summary>
    public double InitializerFactor { get; init; } = 1.0;

    /// <summary><c>drop_path_rate</c> (0; stochastic depth is the identity at inference).</summary>
    public double DropPathRate { get; init; }

    /// <summary>Patches per frame: <c>(image_size / patch_size)²</c>.</summary>
    public int NumPatches => (ImageSize / PatchSize) * (ImageSize / PatchSize);

    /// <inheritdoc />
    private protected override string ExpectedModelType => "xclip_vision_model";

    /// <inheritdoc />
    private protected override bool IsNested => true;

    /// <summary>Checks the sizes a model needs.</summary>
    internal void Validate()
    {
        RequireDivisible(HiddenSize, "vision_config.hidden_size", NumAttentionHeads, "vision_config.num_attention_heads");
        RequireDivisible(MitHiddenSize, "vision_config.mit_hidden_size", MitNumAttentionHeads, "vision_config.mit_num_attention_heads");
        RequirePositive(IntermediateSize, "vision_config.intermediate_size");
        RequirePositive(MitIntermediateSize, "vision_config.mit_intermediate_size");
        RequirePositive(NumChannels, "vision_config.num_channels");
        RequirePositive(PatchSize, "vision_config.patch_size");
        RequirePositive(ImageSize, "vision_config.image_size");
        RequirePositive(NumFrames, "vision_config.num_frames");
        if (ImageSize < PatchSize)
        {
            throw new InvalidDataException($"'{Source}': vision_config.image_size ({ImageSize}) is smaller than vision_config.patch_size ({PatchSize}).");
        }

        if (NumHiddenLayers < 0 || MitNumHiddenLayers < 0)
        {
            throw new InvalidDataException($"'{Source}': layer counts must not be negative (num_hidden_layers {NumHiddenLayers}, mit_num_hidden_layers {MitNumHiddenLayers}).");
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
        target["num_hidden_layers"] = NumHiddenLayers;
        target["num_attention_heads"] = NumAttentionHeads;
        target["mit_hidden_size"] = MitHiddenSize;
        target["mit_intermediate_size"] = MitIntermediateSize;
        target["mit_num_hidden_layers"] = MitNumHiddenLayers;
        target["mit_num_attention_heads"] = MitNumAttentionHeads;
        target["num_channels"] = NumChannels;
        target["image_size"] = ImageSize;
        target["patch_size"] = PatchSize;
        target["num_frames"] = NumFrames;
        target["hidden_act"] = HiddenAct;
        target["layer_norm_eps"] = ConfigJson.Float(LayerNormEps);
        target["attention_dropout"] = ConfigJson.Float(AttentionDropout);
        target["initializer_range"] = ConfigJson.Float(InitializerRange);
        target["initializer_factor"] = ConfigJson.Float(InitializerFactor);
        target["drop_path_rate"] = ConfigJson.Float(DropPathRate);
    }
}
