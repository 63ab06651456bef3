using System.Text.Json.Nodes;
using Microsoft.ML.Clip.Modeling;

namespace Microsoft.ML.Clip.XClip;

/// <summary>
/// The X-CLIP model configuration (<c>XCLIPConfig</c>, <c>model_type = "xclip"</c>): the text and vision configs plus the
/// projection and prompt-generator settings, with the defaults of <c>transformers</c> 4.37.2.
/// </summary>
public sealed record XClipConfig : PretrainedConfig
{
    private static readonly string[] Keys =
    [
        "text_config", "vision_config", "text_config_dict", "vision_config_dict", "projection_dim", "prompt_layers", "prompt_alpha",
        "prompt_hidden_act", "prompt_num_attention_heads", "prompt_attention_dropout", "prompt_projection_dropout",
        "logit_scale_init_value", "initializer_factor",
    ];

    /// <summary>Creates a config with every default (the shape of <c>microsoft/xclip-base-patch32</c>).</summary>
    public XClipConfig()
        : base(null, Keys, "XClipConfig defaults")
    {
    }

    private XClipConfig(JsonObject json, string source)
        : base(json, Keys, source)
    {
        TextConfig = new XClipTextConfig(SubConfigJson.Read(json, "text_config", source, (j, s) => new XClipTextConfig(j, s)), source + " (text_config)");
        VisionConfig = new XClipVisionConfig(SubConfigJson.Read(json, "vision_config", source, (j, s) => new XClipVisionConfig(j, s)), source + " (vision_config)");
        ProjectionDim = ConfigJson.GetInt(json, "projection_dim", ProjectionDim, source);
        PromptLayers = ConfigJson.GetInt(json, "prompt_layers", PromptLayers, source);
        PromptAlpha = ConfigJson.GetDouble(json, "prompt_alpha", PromptAlpha, source);
        PromptHiddenAct = ConfigJson.GetString(json, "prompt_hidden_act", PromptHiddenAct, source);
        PromptNumAttentionHeads = ConfigJson.GetInt(json, "prompt_num_attention_heads", PromptNumAttentionHeads, source);
        PromptAttentionDropout = ConfigJson.GetDouble(json, "prompt_attention_dropout", PromptAttentionDropout, source);
        PromptProjectionDropout = ConfigJson.GetDouble(json, "prompt_projection_dropout", PromptProjectionDropout, source);
        LogitScaleInitValue = ConfigJson.GetDouble(json, "logit_scale_init_value", LogitScaleInitValue, source);
        InitializerFactor = ConfigJson.GetDouble(json, "initializer_factor", InitializerFactor, source);
    }

    /// <summary><c>text_config</c>.</summary>
    public XClipTextConfig TextConfig { get; init; } = new();

    /// <summary><c>vision_config</c>.</summary>
    public XClipVisionConfig VisionConfig { get; init; } = new();

    /// <summary><c>projection_dim</c>: the joint embedding width (512).</summary>
    public int ProjectionDim { get; init; } = 512;

    /// <summary><c>prompt_layers</c>: decoder layers of the video-specific prompt generator (2).</summary>
    public int PromptLayers { get; init; } = 2;

    /// <summary><c>prompt_alpha</c>: the initial value of the prompt generator's <c>alpha</c> (0.1; training only).</summary>
    public double PromptAlpha { get; init; } = 0.1;

    /// <summary><c>prompt_hidden_act</c> ("quick_gelu").</summary>
    public string PromptHiddenAct { get; init; } = "quick_gelu";

    /// <summary><c>prompt_num_attention_heads</c> (8).</summary>
    public int PromptNumAttentionHeads { get; init; } = 8;

    /// <summary><c>prompt_attention_dropout</c> (0; unused at inference).</summary>
    public double PromptAttentionDropout { get; init; }

    /// <summary><c>prompt_projection_dropout</c> (0; unused at inference).</summary>
    public double PromptProjectionDropout { get; init; }

    /// <summary><c>logit_scale_init_value</c> (2.6592; the loaded <c>logit_scale</c> weight is what the model uses).</summary>
    public double LogitScaleInitValue { get; init; } = 2.6592;

    /// <summary><c>initializer_factor</c> (1.0; training only).</summary>
    public double InitializerFactor { get; init; } = 1.0;

    /// <inheritdoc />
    private protected override string ExpectedModelType => "xclip";

    /// <summary>Reads a <c>config.json</c> file.</summary>
    /// <param name="path">The file path.</param>
    /// <exception cref="InvalidDataException">The file is not an X-CLIP config, or a field has the wrong type.</exception>
    public static XClipConfig FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"X-CLIP config '{path}' does not exist.", path);
        }

        return FromJson(File.ReadAllText(path), path);
    }

    /// <summary>Reads a config from JSON text.</summary>
    /// <param name="json">The <c>config.json</c> content.</param>
    /// <param name="source">A name for error messages (e.g. the file path).</param>
    /// <exception cref="InvalidDataException">The JSON is not an X-CLIP config (<c>model_type</c> missing or not <c>xclip</c>), or a field has the wrong type.</exception>
    public static XClipConfig FromJson(string json, string source = "config.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject root = ConfigJson.ParseObject(json, source);
        string? modelType = root["model_type"] is null ? null : ConfigJson.GetString(root, "model_type", string.Empty, source);
        if (modelType != "xclip")
        {
            throw new InvalidDataException(modelType is null
                ? $"'{source}' has no 'model_type'; an X-CLIP config.json has \"model_type\": \"xclip\"."
                : $"'{source}' has model_type '{modelType}', not 'xclip': it is not an X-CLIP checkpoint.");
        }

        return new XClipConfig(root, source);
    }

    /// <summary>Checks that the sizes fit together (head counts divide widths, the MIT width equals <c>projection_dim</c>, …).</summary>
    /// <exception cref="InvalidDataException">A size is inconsistent; the message names the fields.</exception>
    public void Validate()
    {
        TextConfig.Validate();
        VisionConfig.Validate();
        RequireDivisible(ProjectionDim, "projection_dim", PromptNumAttentionHeads, "prompt_num_attention_heads");
        if (PromptLayers < 0)
        {
            RequirePositive(PromptLayers, "prompt_layers");
        }

        if (VisionConfig.MitHiddenSize != ProjectionDim)
        {
            throw new InvalidDataException(
                $"'{Source}': vision_config.mit_hidden_size ({VisionConfig.MitHiddenSize}) must equal projection_dim ({ProjectionDim}): the MIT integrates projected frame features.");
        }

        ActivationNames.Parse(PromptHiddenAct, "prompt_hidden_act", Source);
    }

    /// <inheritdoc />
    private protected override void WriteModelFields(JsonObject target)
    {
        target["text_config"] = TextConfig.ToJsonObject();
        target["vision_config"] = VisionConfig.ToJsonObject();
        target["projection_dim"] = ProjectionDim;
        target["prompt_layers"] = PromptLayers;
        target["prompt_alpha"] = ConfigJson.Float(PromptAlpha);
        target["prompt_hidden_act"] = PromptHiddenAct;
        target["prompt_num_attention_heads"] = PromptNumAttentionHeads;
        target["prompt_attention_dropout"] = ConfigJson.Float(PromptAttentionDropout);
        target["prompt_projection_dropout"] = ConfigJson.Float(PromptProjectionDropout);
        target["logit_scale_init_value"] = ConfigJson.Float(LogitScaleInitValue);
        target["initializer_factor"] = ConfigJson.Float(InitializerFactor);
    }
}
