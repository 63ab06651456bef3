using System.Text.Json.Nodes;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>Reads a nested text/vision config, honouring the legacy <c>text_config_dict</c> / <c>vision_config_dict</c> keys.</summary>
internal static class SubConfigJson
{
    /// <summary>
    /// Returns the JSON of the nested config <paramref name="key"/>: <c>json[key]</c>, updated — as <c>transformers</c> does —
    /// with every field of the config built from <c>json[key + "_dict"]</c> when that legacy key is present.
    /// </summary>
    public static JsonObject Read(JsonObject json, string key, string source, Func<JsonObject, string, PretrainedConfig> create)
    {
        JsonObject merged = ConfigJson.GetObject(json, key, source)?.DeepClone() as JsonObject ?? new JsonObject();
        JsonObject? legacy = ConfigJson.GetObject(json, key + "_dict", source);
        if (legacy is not null)
        {
            foreach (var (field, value) in create(legacy, $"{source} ({key}_dict)").ToJsonObject())
            {
                merged[field] = value?.DeepClone();
            }
        }

        return merged;
    }
}
