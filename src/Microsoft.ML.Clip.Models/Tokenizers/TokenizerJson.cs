using System.Text.Json;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>Helpers to read the parts of a Hugging Face <c>tokenizer.json</c> that both tokenizers use.</summary>
internal static class TokenizerJson
{
    /// <summary>Parses the whole file, naming it in any error.</summary>
    public static JsonDocument Parse(string path)
    {
        using var stream = TokenizerFiles.OpenRead(path, "tokenizer (tokenizer.json)");
        try
        {
            return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}). Expected a Hugging Face tokenizer.json.", e);
        }
    }

    /// <summary>A required property, or an error naming the file and the JSON path.</summary>
    public static JsonElement Required(JsonElement parent, string name, string source, string where)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new InvalidDataException($"{source}: '{where}.{name}' is missing; is this a Hugging Face tokenizer.json?");
        }

        return value;
    }

    /// <summary>An optional string property.</summary>
    public static string? OptionalString(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>An optional boolean property.</summary>
    public static bool OptionalBool(JsonElement parent, string name, bool fallback) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value)
            && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : fallback;

    /// <summary>Reads <c>added_tokens</c>.</summary>
    public static List<AddedToken> ReadAddedTokens(JsonElement root, string source)
    {
        var tokens = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return tokens;
        }

        foreach (var item in list.EnumerateArray())
        {
            string content = OptionalString(item, "content")
                ?? throw new InvalidDataException($"{source}: an entry of 'added_tokens' has no 'content'.");
            if (!item.TryGetProperty("id", out var idElement) || !idElement.TryGetInt32(out int id) || id < 0)
            {
                throw new InvalidDataException($"{source}: added token \"{content}\" has no valid 'id'.");
            }

            tokens.Add(new AddedToken(
                content,
                id,
                Special: OptionalBool(item, "special", false),
                Normalized: OptionalBool(item, "normalized", true),
                LStrip: OptionalBool(item, "lstrip", false),
                RStrip: OptionalBool(item, "rstrip", false),
                SingleWord: OptionalBool(item, "single_word", false)));
        }

        return tokens;
    }

    /// <summary>
    /// The ids the post-processor puts before and after a single sequence: <c>RobertaProcessing</c> /
    /// <c>BertProcessing</c> (cls … sep) or <c>TemplateProcessing</c> (the <c>single</c> template).
    /// </summary>
    public static (int[] Prefix, int[] Suffix) ReadPostProcessor(JsonElement root, string source)
    {
        if (!root.TryGetProperty("post_processor", out var processor) || processor.ValueKind == JsonValueKind.Null)
        {
            return (Array.Empty<int>(), Array.Empty<int>());
        }

        return ReadProcessor(processor, source);
    }

    private static (int[] Prefix, int[] Suffix) ReadProcessor(JsonElement processor, string source)
    {
        string? type = OptionalString(processor, "type");
        switch (type)
        {
            case "RobertaProcessing":
            case "BertProcessing":
                return (new[] { PairId(processor, "cls", source) }, new[] { PairId(processor, "sep", source) });
            case "TemplateProcessing":
                return ReadTemplate(processor, source);
            case "Sequence":
                foreach (var step in Required(processor, "processors", source, "post_processor").EnumerateArray())
                {
                    string? stepType = OptionalString(step, "type");
                    if (stepType is "RobertaProcessing" or "BertProcessing" or "TemplateProcessing")
                    {
                        return ReadProcessor(step, source);
                    }
                }

                return (Array.Empty<int>(), Array.Empty<int>());
            default:
                throw new NotSupportedException($"{source}: post_processor type '{type}' is not supported (RobertaProcessing, BertProcessing or TemplateProcessing expected).");
        }
    }

    private static int PairId(JsonElement processor, string name, string source)
    {
        var pair = Required(processor, name, source, "post_processor");
        if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2 || !pair[1].TryGetInt32(out int id))
        {
            throw new InvalidDataException($"{source}: 'post_processor.{name}' should be [token, id].");
        }

        return id;
    }

    private static (int[] Prefix, int[] Suffix) ReadTemplate(JsonElement processor, string source)
    {
        var single = Required(processor, "single", source, "post_processor");
        var specials = Required(processor, "special_tokens", source, "post_processor");
        var prefix = new List<int>();
        var suffix = new List<int>();
        bool seenSequence = false;
        foreach (var piece in single.EnumerateArray())
        {
            if (piece.TryGetProperty("Sequence", out _))
            {
                seenSequence = true;
                continue;
            }

            if (!piece.TryGetProperty("SpecialToken", out var special))
            {
                throw new InvalidDataException($"{source}: unexpected entry in 'post_processor.single': {piece}.");
            }

            string name = OptionalString(special, "id") ?? throw new InvalidDataException($"{source}: a SpecialToken of 'post_processor.single' has no 'id'.");
            var entry = Required(specials, name, source, "post_processor.special_tokens");
            foreach (var id in Required(entry, "ids", source, $"post_processor.special_tokens.{name}").EnumerateArray())
            {
                (seenSequence ? suffix : prefix).Add(id.GetInt32());
            }
        }

        return (prefix.ToArray(), suffix.ToArray());
    }
}
