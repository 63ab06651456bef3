using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>Typed reads from a <c>config.json</c> object, with errors that name the file and the field.</summary>
internal static class ConfigJson
{
    /// <summary>Parses a JSON document that must be an object.</summary>
    public static JsonObject ParseObject(string json, string source)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}' is not valid JSON: {e.Message}", e);
        }

        return node as JsonObject
            ?? throw new InvalidDataException($"'{source}' must hold a JSON object (a config), but its root is {Kind(node)}.");
    }

    /// <summary>Reads an integer field, or <paramref name="fallback"/> when it is absent or null.</summary>
    public static int GetInt(JsonObject json, string name, int fallback, string source)
    {
        JsonNode? node = json[name];
        if (node is null)
        {
            return fallback;
        }

        if (TryGetNumber(node, out double d))
        {
            if (d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
            {
                return (int)d;
            }
        }

        throw new InvalidDataException($"'{source}': field '{name}' must be an integer, but it is {node.ToJsonString()}.");
    }

    /// <summary>Reads a number field, or <paramref name="fallback"/> when it is absent or null.</summary>
    public static double GetDouble(JsonObject json, string name, double fallback, string source)
    {
        JsonNode? node = json[name];
        if (node is null)
        {
            return fallback;
        }

        if (TryGetNumber(node, out double d))
        {
            return d;
        }

        throw new InvalidDataException($"'{source}': field '{name}' must be a number, but it is {node.ToJsonString()}.");
    }

    /// <summary>Reads a JSON number whether it was parsed from text or created from a .NET value.</summary>
    public static bool TryGetNumber(JsonNode? node, out double value)
    {
        value = 0;
        if (node is not JsonValue json || json.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        if (json.TryGetValue(out JsonElement element))
        {
            value = element.GetDouble();
            return true;
        }

        if (json.TryGetValue(out int i))
        {
            value = i;
            return true;
        }

        if (json.TryGetValue(out long l))
        {
            value = l;
            return true;
        }

        if (json.TryGetValue(out double d))
        {
            value = d;
            return true;
        }

        return json.TryGetValue(out float f) && (value = f) == f;
    }

    /// <summary>Reads a string field, or <paramref name="fallback"/> when it is absent or null.</summary>
    public static string GetString(JsonObject json, string name, string fallback, string source)
    {
        JsonNode? node = json[name];
        if (node is null)
        {
            return fallback;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }

        throw new InvalidDataException($"'{source}': field '{name}' must be a string, but it is {node.ToJsonString()}.");
    }

    /// <summary>Reads a boolean field, or <paramref name="fallback"/> when it is absent or null.</summary>
    public static bool GetBool(JsonObject json, string name, bool fallback, string source)
    {
        JsonNode? node = json[name];
        if (node is null)
        {
            return fallback;
        }

        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidDataException($"'{source}': field '{name}' must be true or false, but it is {node.ToJsonString()}."),
        };
    }

    /// <summary>Reads an optional object field.</summary>
    public static JsonObject? GetObject(JsonObject json, string name, string source)
    {
        JsonNode? node = json[name];
        if (node is null)
        {
            return null;
        }

        return node as JsonObject
            ?? throw new InvalidDataException($"'{source}': field '{name}' must be an object, but it is {node.ToJsonString()}.");
    }

    /// <summary>A float written the way Python's <c>json</c> writes it (<c>1.0</c>, <c>1e-05</c>, <c>0.02</c>).</summary>
    public static JsonNode Float(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            // .NET "1E-05" → Python "1e-05"; add a ".0" mantissa only where Python would not (it never does with an exponent).
            text = text.Replace("E", "e", StringComparison.Ordinal);
        }
        else if (!text.Contains('.', StringComparison.Ordinal) && double.IsFinite(value))
        {
            text += ".0";
        }

        return JsonNode.Parse(text)!;
    }

    /// <summary>Returns a copy of <paramref name="source"/> with its keys in ordinal order, recursively (as <c>json.dumps(sort_keys=True)</c>).</summary>
    public static JsonNode? SortKeys(JsonNode? source)
    {
        switch (source)
        {
            case JsonObject obj:
                var sorted = new JsonObject();
                foreach (var pair in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    sorted[pair.Key] = SortKeys(pair.Value);
                }

                return sorted;
            case JsonArray array:
                var copy = new JsonArray();
                foreach (JsonNode? item in array)
                {
                    copy.Add(SortKeys(item));
                }

                return copy;
            default:
                return source?.DeepClone();
        }
    }

    private static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        _ => "a " + node.GetValueKind().ToString().ToLowerInvariant(),
    };
}
