using System.Text.Json;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// Reads the fields of a checkpoint's <c>config.json</c> that <c>clip info</c> shows, falling back to the
/// <c>transformers</c> class defaults (<c>XCLIPTextConfig</c>, <c>XCLIPVisionConfig</c>, <c>AltCLIPTextConfig</c>,
/// <c>AltCLIPVisionConfig</c>) for fields a saved config leaves out.
/// </summary>
internal sealed class ConfigSummary
{
    private static readonly Dictionary<string, Dictionary<string, long>> Defaults = new()
    {
        ["xclip.text"] = new() { ["vocab_size"] = 49408, ["hidden_size"] = 512, ["num_hidden_layers"] = 12, ["num_attention_heads"] = 8, ["max_position_embeddings"] = 77 },
        ["xclip.vision"] = new() { ["hidden_size"] = 768, ["num_hidden_layers"] = 12, ["num_attention_heads"] = 12, ["image_size"] = 224, ["patch_size"] = 32, ["num_frames"] = 8, ["mit_hidden_size"] = 512, ["mit_num_hidden_layers"] = 1 },
        ["xclip"] = new() { ["projection_dim"] = 512, ["prompt_layers"] = 2 },
        ["altclip.text"] = new() { ["vocab_size"] = 250002, ["hidden_size"] = 1024, ["num_hidden_layers"] = 24, ["num_attention_heads"] = 16, ["max_position_embeddings"] = 514, ["project_dim"] = 768 },
        ["altclip.vision"] = new() { ["hidden_size"] = 768, ["num_hidden_layers"] = 12, ["num_attention_heads"] = 12, ["image_size"] = 224, ["patch_size"] = 32 },
        ["altclip"] = new() { ["projection_dim"] = 768 },
    };

    private readonly JsonElement _root;

    private ConfigSummary(string path, JsonElement root)
    {
        _root = root;
        ModelType = root.TryGetProperty("model_type", out JsonElement t) ? t.GetString() ?? string.Empty : string.Empty;
        if (ModelType is not ("xclip" or "altclip"))
        {
            throw new InvalidDataException(
                $"'{path}': model_type is '{ModelType}', but clip works with X-CLIP ('xclip') and AltCLIP ('altclip') checkpoints.");
        }
    }

    /// <summary><c>xclip</c> or <c>altclip</c>.</summary>
    public string ModelType { get; }

    /// <summary>True for X-CLIP (a video model).</summary>
    public bool IsVideo => ModelType == "xclip";

    /// <summary>Reads <c>config.json</c>.</summary>
    /// <param name="path">The file.</param>
    public static ConfigSummary Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model folder has no config.json ('{path}'); is it a Hugging Face checkpoint folder?", path);
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return new ConfigSummary(path, doc.RootElement.Clone());
    }

    /// <summary>A top-level integer field (or its default).</summary>
    /// <param name="name">The field name.</param>
    public long Top(string name) => Get(_root, ModelType, name);

    /// <summary>A <c>text_config</c> integer field (or its default).</summary>
    /// <param name="name">The field name.</param>
    public long Text(string name) => Get(Section("text_config"), ModelType + ".text", name);

    /// <summary>A <c>vision_config</c> integer field (or its default).</summary>
    /// <param name="name">The field name.</param>
    public long Vision(string name) => Get(Section("vision_config"), ModelType + ".vision", name);

    private JsonElement Section(string name) =>
        _root.TryGetProperty(name, out JsonElement section) && section.ValueKind == JsonValueKind.Object ? section : default;

    private static long Get(JsonElement section, string defaults, string name)
    {
        if (section.ValueKind == JsonValueKind.Object && section.TryGetProperty(name, out JsonElement value) && value.TryGetInt64(out long number))
        {
            return number;
        }

        return Defaults[defaults].TryGetValue(name, out long fallback) ? fallback : 0;
    }
}
