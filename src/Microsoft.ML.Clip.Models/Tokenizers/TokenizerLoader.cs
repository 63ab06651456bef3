using System.Text.Json;
using Microsoft.ML.Clip.Hub;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>The tokenizer families this library implements.</summary>
public enum TokenizerKind
{
    /// <summary>CLIP byte-level BPE (X-CLIP): <see cref="ClipTokenizer"/>.</summary>
    Clip,

    /// <summary>XLM-RoBERTa SentencePiece Unigram (AltCLIP): <see cref="XlmRobertaTokenizer"/>.</summary>
    XlmRoberta,
}

/// <summary>
/// Finds and loads the tokenizer of a model folder (a Hub snapshot or a folder holding only tokenizer files):
/// <c>tokenizer.json</c> is preferred, else <c>vocab.json</c> + <c>merges.txt</c> (CLIP) or
/// <c>sentencepiece.bpe.model</c> (XLM-R); <c>tokenizer_config.json</c>, when present, gives
/// <c>model_max_length</c>, the pad token, <c>clean_up_tokenization_spaces</c> and <c>tokenizer_class</c>.
/// </summary>
public static class TokenizerLoader
{
    /// <summary>The Hugging Face fast-tokenizer file.</summary>
    public const string TokenizerJsonFile = "tokenizer.json";

    /// <summary>The tokenizer configuration file.</summary>
    public const string TokenizerConfigFile = "tokenizer_config.json";

    /// <summary>CLIP's vocabulary file.</summary>
    public const string VocabJsonFile = "vocab.json";

    /// <summary>CLIP's merges file.</summary>
    public const string MergesFile = "merges.txt";

    /// <summary>XLM-R's SentencePiece model file.</summary>
    public const string SentencePieceModelFile = "sentencepiece.bpe.model";

    /// <summary>
    /// The files a tokenizer needs from a Hub repository (for <see cref="HubModelResolver"/>): <c>tokenizer.json</c>, else
    /// <c>vocab.json</c> + <c>merges.txt</c>, else <c>sentencepiece.bpe.model</c>, and the configuration files if present.
    /// </summary>
    public static IReadOnlyList<HubFileGroup> HubFiles { get; } = new[]
    {
        HubFileGroup.Optional(TokenizerConfigFile),
        HubFileGroup.Optional("special_tokens_map.json"),
        HubFileGroup.Required(TokenizerJsonFile, VocabJsonFile, SentencePieceModelFile),
        HubFileGroup.Optional(MergesFile),
    };

    /// <summary>Loads the tokenizer of a folder.</summary>
    /// <param name="folder">The model folder.</param>
    /// <returns>A <see cref="ClipTokenizer"/> or an <see cref="XlmRobertaTokenizer"/>.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">No tokenizer files were found (the message lists what was looked for).</exception>
    /// <exception cref="InvalidDataException">A tokenizer file is malformed (the message names it).</exception>
    public static TextTokenizer Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The model folder '{folder}' does not exist.");
        }

        string configPath = Path.Combine(folder, TokenizerConfigFile);
        TokenizerSettings? settings = File.Exists(configPath) ? TokenizerSettings.FromConfigFile(configPath) : null;
        TokenizerKind kind = DetectKind(folder, settings);
        string tokenizerJson = Path.Combine(folder, TokenizerJsonFile);
        if (kind == TokenizerKind.Clip)
        {
            return File.Exists(tokenizerJson)
                ? ClipTokenizer.FromTokenizerJson(tokenizerJson, settings)
                : ClipTokenizer.FromVocabularyFiles(Path.Combine(folder, VocabJsonFile), Path.Combine(folder, MergesFile), settings);
        }

        return File.Exists(tokenizerJson)
            ? XlmRobertaTokenizer.FromTokenizerJson(tokenizerJson, settings)
            : XlmRobertaTokenizer.FromSentencePieceModel(Path.Combine(folder, SentencePieceModelFile), settings);
    }

    /// <summary>Decides which tokenizer a folder holds, from <c>tokenizer_class</c> or else from its files.</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="settings">Its tokenizer_config.json values, if any.</param>
    /// <returns>The tokenizer family.</returns>
    /// <exception cref="FileNotFoundException">No tokenizer files were found.</exception>
    public static TokenizerKind DetectKind(string folder, TokenizerSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string? cls = settings?.TokenizerClass;
        if (cls is not null)
        {
            if (cls.StartsWith("CLIPTokenizer", StringComparison.Ordinal))
            {
                return TokenizerKind.Clip;
            }

            if (cls.StartsWith("XLMRobertaTokenizer", StringComparison.Ordinal))
            {
                return TokenizerKind.XlmRoberta;
            }
        }

        string tokenizerJson = Path.Combine(folder, TokenizerJsonFile);
        if (File.Exists(tokenizerJson))
        {
            using var document = TokenizerJson.Parse(tokenizerJson);
            string? type = document.RootElement.TryGetProperty("model", out var model) ? TokenizerJson.OptionalString(model, "type") : null;
            return type switch
            {
                "BPE" => TokenizerKind.Clip,
                "Unigram" => TokenizerKind.XlmRoberta,
                _ => throw new InvalidDataException(
                    $"{tokenizerJson}: model type '{type}' is neither BPE (CLIP) nor Unigram (XLM-RoBERTa)."),
            };
        }

        if (File.Exists(Path.Combine(folder, VocabJsonFile)) && File.Exists(Path.Combine(folder, MergesFile)))
        {
            return TokenizerKind.Clip;
        }

        if (File.Exists(Path.Combine(folder, SentencePieceModelFile)))
        {
            return TokenizerKind.XlmRoberta;
        }

        throw new FileNotFoundException(
            $"No tokenizer files in '{folder}': expected {TokenizerJsonFile}, or {VocabJsonFile} + {MergesFile} (CLIP), " +
            $"or {SentencePieceModelFile} (XLM-RoBERTa).");
    }
}
