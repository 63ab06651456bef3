using System.Text.Json;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// The values of <c>tokenizer_config.json</c> the tokenizers use. Null means "the tokenizer's default"
/// (CLIP: 77, pad <c>&lt;|endoftext|&gt;</c>; XLM-R: 512, pad <c>&lt;pad&gt;</c>; clean-up on).
/// </summary>
public sealed record TokenizerSettings
{
    /// <summary><c>model_max_length</c>.</summary>
    public int? ModelMaxLength { get; init; }

    /// <summary><c>pad_token</c> (its content).</summary>
    public string? PadToken { get; init; }

    /// <summary><c>clean_up_tokenization_spaces</c> (transformers 4.37.2 defaults it to true).</summary>
    public bool? CleanUpTokenizationSpaces { get; init; }

    /// <summary><c>tokenizer_class</c>, e.g. <c>CLIPTokenizer</c> or <c>XLMRobertaTokenizer</c>.</summary>
    public string? TokenizerClass { get; init; }

    /// <summary>Reads <c>tokenizer_config.json</c>; unknown keys are ignored.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The settings found in it.</returns>
    /// <exception cref="InvalidDataException">The file is not a JSON object.</exception>
    public static TokenizerSettings FromConfigFile(string path)
    {
        using var stream = TokenizerFiles.OpenRead(path, "tokenizer configuration (tokenizer_config.json)");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: expected a JSON object, found {root.ValueKind}.");
            }

            int? maxLength = null;
            if (root.TryGetProperty("model_max_length", out var max) && max.ValueKind == JsonValueKind.Number
                && max.TryGetDouble(out double value) && value >= 1)
            {
                // transformers writes a huge float (1e30) when there is no limit: keep int.MaxValue then.
                maxLength = value >= int.MaxValue ? int.MaxValue : (int)value;
            }

            bool? cleanUp = root.TryGetProperty("clean_up_tokenization_spaces", out var clean)
                && clean.ValueKind is JsonValueKind.True or JsonValueKind.False ? clean.GetBoolean() : null;

            return new TokenizerSettings
            {
                ModelMaxLength = maxLength,
                PadToken = TokenContent(root, "pad_token"),
                CleanUpTokenizationSpaces = cleanUp,
                TokenizerClass = TokenizerJson.OptionalString(root, "tokenizer_class"),
            };
        }
    }

    // A special token is written either as a string or as {"__type": "AddedToken", "content": ...}.
    private static string? TokenContent(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var token))
        {
            return null;
        }

        return token.ValueKind switch
        {
            JsonValueKind.String => token.GetString(),
            JsonValueKind.Object => TokenizerJson.OptionalString(token, "content"),
            _ => null,
        };
    }
}
