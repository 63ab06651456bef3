using System.Text.Json.Nodes;
using Microsoft.ML.Clip.Modeling;

namespace Microsoft.ML.Clip.AltClip;

/// <summary>
/// The AltCLIP model configuration (<c>AltCLIPConfig</c>, <c>model_type = "altclip"</c>): the text and vision configs plus
/// <c>projection_dim</c>, with the defaults of <c>transformers</c> 4.37.2.
/// </summary>
public sealed record AltClipConfig : PretrainedConfig
{
    private static readonly string[] Keys =
    [
        "text_config", "vision_config", "text_config_dict", "vision_config_dict", "projection_dim", "logit_scale_init_value", "initializer_factor",
    ];

    /// <summary>Creates a config with every default.</summary>
    public AltClipConfig()
        : base(null, Keys, "AltClipConfig defaults")
    {
    }

    private AltClipConfig(JsonObject json, string source)
        : base(json, Keys, source)
    {
        TextConfig = new AltClipTextConfig(SubConfigJson.Read(json, "text_config", source, (j, s) => new AltClipTextConfig(j, s)), source + " (text_config)");
        VisionConfig = new AltClipVisionConfig(SubConfigJson.Read(json, "vision_config", source, (j, s) => new AltClipVisionConfig(j, s)), source + " (vision_config)");
        ProjectionDim = ConfigJson.GetInt(json, "projection_dim", ProjectionDim, source);
        LogitScaleInitValue = ConfigJson.GetDouble(json, "logit_scale_init_value", LogitScaleInitValue, source);
        InitializerFactor = ConfigJson.GetDouble(json, "initializer_factor", InitializerFactor, source);
    }

    /// <summary><c>text_config</c>.</summary>
    public AltClipTextConfig TextConfig { get; init; } = new();

    /// <summary><c>vision_config</c>.</summary>
    public AltClipVisionConfig VisionConfig { get; init; } = new();

    /// <summary><c>projection_dim</c>: the joint embedding width (768; 1024 in AltCLIP-m18).</summary>
    public int ProjectionDim { get; init; } = 768;

    /// <summary><c>logit_scale_init_value</c> (2.6592; the loaded <c>logit_scale</c> weight is what the model uses).</summary>
    public double LogitScaleInitValue { get; init; } = 2.6592;

    /// <summary><c>initializer_factor</c> (1.0; training only).</summary>
    public double InitializerFactor { get; init; } = 1.0;

    /// <inheritdoc />
    private protected override string ExpectedModelType => "altclip";

    /// <summary>Reads a <c>config.json</c> file.</summary>
    /// <param name="path">The file path.</param>
    /// <exception cref="InvalidDataException">The file is not an AltCLIP config, or a field has the wrong type.</exception>
    public static AltClipConfig FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"AltCLIP config '{path}' does not exist.", path);
        }

        return FromJson(File.ReadAllText(path), path);
    }

    /// <summary>Reads a config from JSON text.</summary>
    /// <param name="json">The <c>config.json</c> content.</param>
    /// <param name="source">A name for error messages (e.g. the file path).</param>
    /// <exception cref="InvalidDataException">The JSON is not an AltCLIP config (<c>model_type</c> missing or not <c>altclip</c>), or a field has the wrong type.</exception>
    public static AltClipConfig FromJson(string json, string source = "config.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject root = ConfigJson.ParseObject(json, source);
        string? modelType = root["model_type"] is null ? null : ConfigJson.GetString(root, "model_type", string.Empty, source);
        if (modelType != "altclip")
        {
            throw new InvalidDataException(modelType is null
                ? $"'{source}' has no 'model_type'; an AltCLIP config.json has \"model_type\": \"altclip\"."
                : $"'{source}' has model_type '{modelType}', not 'altclip': it is not an AltCLIP checkpoint.");
        }

        return new AltClipConfig(root, source);
    }

    /// <summary>Checks that the sizes fit together.</summary>
    /// <exception cref="InvalidDataException">A size is inconsistent; the message names the fields.</exception>
    public void Validate()
    {
        TextConfig.Validate();
        VisionConfig.Validate();
        RequirePositive(ProjectionDim, "projection_dim");
    }

    /// <inheritdoc />
    private protected override void WriteModelFields(JsonObject target)
    {
        target["text_config"] = TextConfig.ToJsonObject();
        target["vision_config"] = VisionConfig.ToJsonObject();
        target["projection_dim"] = ProjectionDim;
        target["logit_scale_init_value"] = ConfigJson.Float(LogitScaleInitValue);
        target["initializer_factor"] = ConfigJson.Float(InitializerFactor);
    }
}
