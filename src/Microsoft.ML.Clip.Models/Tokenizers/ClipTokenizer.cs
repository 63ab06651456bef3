using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// X-CLIP's text tokenizer, identical id for id to transformers' <c>CLIPTokenizerFast</c> (Rust <c>tokenizers</c>):
/// NFC, white-space runs → one space, per-character lower case; <c>&lt;|startoftext|&gt;</c>/<c>&lt;|endoftext|&gt;</c>
/// matched in the normalised text (so <c>&lt;|STARTOFTEXT|&gt;</c> is the special token too); the CLIP word pattern;
/// byte-level BPE with <c>&lt;/w&gt;</c> on each word's last symbol; <c>&lt;|startoftext|&gt; … &lt;|endoftext|&gt;</c>
/// around the pieces; padding with <c>&lt;|endoftext|&gt;</c> (49407); decoding through the byte-level decoder,
/// <c>&lt;/w&gt;</c> → space, strip and <c>clean_up_tokenization</c>.
/// </summary>
/// <remarks>
/// Thread-safe. Unpaired UTF-16 surrogates (which Python cannot even pass to the Rust tokenizer) are read as
/// U+FFFD. <see cref="CreateDefault"/> uses the real CLIP vocabulary embedded in this assembly (openai/CLIP,
/// MIT licence, see <c>Tokenizers/Resources/CLIP-LICENSE.txt</c>), so no download is needed. For code written against
/// <c>Microsoft.ML.Tokenizers</c>, <see cref="AsTokenizer"/> gives this tokenizer as a <c>Tokenizer</c> (with offsets).
/// </remarks>
public sealed class ClipTokenizer : TextTokenizer
{
    /// <summary>The start token, <c>&lt;|startoftext|&gt;</c>.</summary>
    public const string StartOfTextToken = "<|startoftext|>";

    /// <summary>The end (and padding, and unknown) token, <c>&lt;|endoftext|&gt;</c>.</summary>
    public const string EndOfTextToken = "<|endoftext|>";

    /// <summary>CLIP's context length, <c>model_max_length</c>.</summary>
    public const int DefaultModelMaxLength = 77;

    private const string MergesResource = "Microsoft.ML.Clip.Tokenizers.Resources.clip-merges.txt.gz";
    private const string LicenseResource = "Microsoft.ML.Clip.Tokenizers.Resources.CLIP-LICENSE.txt";

    private static readonly Lazy<ClipTokenizer> Default = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly BytePairModel _model;
    private readonly AddedVocabulary _addedVocabulary;
    private ClipBpeTokenizer? _asTokenizer;
    private readonly int _vocabularySize;

    private ClipTokenizer(BytePairModel model, IReadOnlyList<AddedToken> addedTokens, int[] prefix, int[] suffix, int padId,
        TokenizerSettings? settings)
        : base(settings?.ModelMaxLength ?? DefaultModelMaxLength, padId, prefix, suffix, settings?.CleanUpTokenizationSpaces ?? true)
    {
        _model = model;
        _addedVocabulary = new AddedVocabulary(addedTokens);
        int maxAdded = addedTokens.Count == 0 ? -1 : addedTokens.Max(t => t.Id);
        _vocabularySize = Math.Max(model.IdToToken.Length, maxAdded + 1);
    }

    /// <inheritdoc />
    public override int VocabularySize => _vocabularySize;

    /// <summary>The number of BPE merges (48,894 for CLIP).</summary>
    public int MergeCount => _model.MergeCount;

    /// <summary>The licence of the embedded CLIP vocabulary (openai/CLIP, MIT, Copyright (c) 2021 OpenAI).</summary>
    public static string EmbeddedVocabularyLicense
    {
        get
        {
            using var stream = typeof(ClipTokenizer).Assembly.GetManifestResourceStream(LicenseResource)
                ?? throw new InvalidOperationException($"The embedded licence '{LicenseResource}' is missing.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
    }

    /// <summary>The CLIP tokenizer with the real vocabulary embedded in this assembly (49,408 ids); shared, thread-safe.</summary>
    /// <returns>The tokenizer of <c>openai/clip-vit-base-patch32</c> / <c>microsoft/xclip-base-patch32</c>.</returns>
    public static ClipTokenizer CreateDefault() => Default.Value;

    /// <summary>Loads the tokenizer from a <c>vocab.json</c> and a <c>merges.txt</c>, as <c>CLIPTokenizer</c> reads them.</summary>
    /// <param name="vocabJsonPath">The vocabulary (token → id).</param>
    /// <param name="mergesPath">The merges (<c>#version</c> line, then one <c>a b</c> merge per line).</param>
    /// <param name="settings">Values from <c>tokenizer_config.json</c>, or null for CLIP's defaults.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed (the message names it).</exception>
    public static ClipTokenizer FromVocabularyFiles(string vocabJsonPath, string mergesPath, TokenizerSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(vocabJsonPath);
        ArgumentNullException.ThrowIfNull(mergesPath);
        var vocabulary = TokenizerFiles.ReadVocabularyJson(vocabJsonPath);
        var merges = TokenizerFiles.ReadMerges(mergesPath, TokenizerFiles.ClipMaxMerges);
        return FromVocabulary(vocabulary, merges, $"{vocabJsonPath} + {mergesPath}", settings);
    }

    /// <summary>Loads the tokenizer from a Hugging Face <c>tokenizer.json</c> holding a CLIP BPE model.</summary>
    /// <param name="tokenizerJsonPath">The file.</param>
    /// <param name="settings">Values from <c>tokenizer_config.json</c>, or null for CLIP's defaults.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or not a CLIP BPE tokenizer (the message names it).</exception>
    public static ClipTokenizer FromTokenizerJson(string tokenizerJsonPath, TokenizerSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizerJsonPath);
        string source = tokenizerJsonPath;
        using var document = TokenizerJson.Parse(tokenizerJsonPath);
        var root = document.RootElement;
        var model = TokenizerJson.Required(root, "model", source, "$");
        string? type = TokenizerJson.OptionalString(model, "type");
        if (type is not null && type != "BPE")
        {
            throw new InvalidDataException($"{source}: model type is '{type}', but the CLIP tokenizer needs a BPE model.");
        }

        var vocabulary = TokenizerFiles.ReadVocabularyObject(TokenizerJson.Required(model, "vocab", source, "model"), source);
        var merges = ReadJsonMerges(TokenizerJson.Required(model, "merges", source, "model"), source);
        string suffix = TokenizerJson.OptionalString(model, "end_of_word_suffix") ?? string.Empty;
        string? unknown = TokenizerJson.OptionalString(model, "unk_token");
        if (TokenizerJson.OptionalBool(model, "byte_fallback", false) || TokenizerJson.OptionalBool(model, "fuse_unk", false))
        {
            throw new NotSupportedException($"{source}: BPE with byte_fallback or fuse_unk is not a CLIP tokenizer and is not supported.");
        }

        var bpe = new BytePairModel(vocabulary, merges, suffix, unknown is not null && vocabulary.ContainsKey(unknown) ? unknown : null, source);
        var added = TokenizerJson.ReadAddedTokens(root, source);
        var (prefix, suffixIds) = TokenizerJson.ReadPostProcessor(root, source);
        int padId = ResolvePadId(settings?.PadToken ?? EndOfTextToken, vocabulary, added, source);
        return new ClipTokenizer(bpe, added, prefix, suffixIds, padId, settings);
    }

    private static ClipTokenizer FromVocabulary(Dictionary<string, int> vocabulary, List<(string, string)> merges, string source,
        TokenizerSettings? settings)
    {
        var bpe = new BytePairModel(vocabulary, merges, "</w>", EndOfTextToken, source);
        int startId = RequireId(vocabulary, StartOfTextToken, source);
        int endId = RequireId(vocabulary, EndOfTextToken, source);
        // CLIPTokenizerFast's bos/eos are special added tokens with normalized: true.
        var added = new List<AddedToken>
        {
            new(StartOfTextToken, startId, Special: true, Normalized: true),
            new(EndOfTextToken, endId, Special: true, Normalized: true),
        };
        int padId = ResolvePadId(settings?.PadToken ?? EndOfTextToken, vocabulary, added, source);
        return new ClipTokenizer(bpe, added, new[] { startId }, new[] { endId }, padId, settings);
    }

    private static ClipTokenizer LoadEmbedded()
    {
        using var stream = typeof(ClipTokenizer).Assembly.GetManifestResourceStream(MergesResource)
            ?? throw new InvalidOperationException($"The embedded CLIP vocabulary '{MergesResource}' is missing from {typeof(ClipTokenizer).Assembly.GetName().Name}.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var merges = TokenizerFiles.ParseMerges(reader.ReadToEnd(), TokenizerFiles.ClipMaxMerges, MergesResource);
        return FromVocabulary(BuildClipVocabulary(merges), merges, MergesResource, settings: null);
    }

    /// <summary>
    /// CLIP's vocabulary as openai/CLIP builds it from the merges: the 256 byte-level characters in code-point
    /// order, the same with <c>&lt;/w&gt;</c>, each merge joined, then <c>&lt;|startoftext|&gt;</c>, <c>&lt;|endoftext|&gt;</c>.
    /// </summary>
    internal static Dictionary<string, int> BuildClipVocabulary(IReadOnlyList<(string Left, string Right)> merges)
    {
        var symbols = ByteLevelAlphabet.ByteToChar.Order().Select(c => c.ToString()).ToArray();
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string symbol in symbols)
        {
            vocabulary[symbol] = vocabulary.Count;
        }

        foreach (string symbol in symbols)
        {
            vocabulary[symbol + "</w>"] = vocabulary.Count;
        }

        foreach (var (left, right) in merges)
        {
            vocabulary[left + right] = vocabulary.Count;
        }

        vocabulary[StartOfTextToken] = vocabulary.Count;
        vocabulary[EndOfTextToken] = vocabulary.Count;
        return vocabulary;
    }

    private static List<(string, string)> ReadJsonMerges(JsonElement merges, string source)
    {
        if (merges.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{source}: 'model.merges' must be an array.");
        }

        var list = new List<(string, string)>(merges.GetArrayLength());
        int index = 0;
        foreach (var merge in merges.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.String)
            {
                // tokenizers splits "a b" on the single space.
                string[] parts = merge.GetString()!.Split(' ');
                if (parts.Length != 2)
                {
                    throw new InvalidDataException($"{source}: model.merges[{index}] \"{merge.GetString()}\" is not two tokens separated by one space.");
                }

                list.Add((parts[0], parts[1]));
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                list.Add((merge[0].GetString()!, merge[1].GetString()!));
            }
            else
            {
                throw new InvalidDataException($"{source}: model.merges[{index}] must be \"a b\" or [\"a\", \"b\"], found {merge}.");
            }

            index++;
        }

        return list;
    }

    private static int RequireId(IReadOnlyDictionary<string, int> vocabulary, string token, string source) =>
        vocabulary.TryGetValue(token, out int id)
            ? id
            : throw new InvalidDataException($"{source}: the vocabulary has no \"{token}\" token; is this a CLIP vocabulary?");

    private static int ResolvePadId(string padToken, IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<AddedToken> added, string source)
    {
        foreach (var token in added)
        {
            if (token.Content == padToken)
            {
                return token.Id;
            }
        }

        return RequireId(vocabulary, padToken, source);
    }

    private protected override void EncodePieces(string text, List<int> ids) =>
        _addedVocabulary.Encode(text, ids, ClipTextNormalizer.Normalize, EncodeRun);

    private void EncodeRun(string normalized, int start, int length, bool atTextStart, List<int> ids)
    {
        var state = (Model: _model, Ids: ids);
        ClipPreTokenizer.Split(normalized, start, length, ref state, static (string text, int wordStart, int wordLength, ref (BytePairModel Model, List<int> Ids) s) =>
            s.Model.Encode(text.AsSpan(wordStart, wordLength), s.Ids));
    }

    /// <inheritdoc />
    public override ClipBpeTokenizer AsTokenizer() => _asTokenizer ??= new ClipBpeTokenizer(this);

    internal override string TokenValue(int id) =>
        _addedVocabulary.TryGet(id, out var added) ? added.Content
        : id >= 0 && id < _model.IdToToken.Length ? _model.IdToToken[id] ?? string.Empty : string.Empty;

    private protected override void EncodePiecesWithOffsets(string text, bool normalize, List<EncodedToken> output) =>
        _addedVocabulary.EncodeWithOffsets(text, normalize ? ClipTextNormalizer.Normalize : static t => t, EncodeRunWithOffsets, output);

    // Each word's UTF-8 bytes are the BPE units; every byte carries the span of the character it belongs to.
    private void EncodeRunWithOffsets(AlignedText normalized, int start, int length, bool atTextStart, List<EncodedToken> output)
    {
        var state = (Tokenizer: this, Normalized: normalized, Output: output, Pieces: new List<ModelToken>());
        ClipPreTokenizer.Split(normalized.Text, start, length, ref state,
            static (string text, int wordStart, int wordLength, ref (ClipTokenizer Tokenizer, AlignedText Normalized, List<EncodedToken> Output, List<ModelToken> Pieces) s) =>
                s.Tokenizer.EncodeWordWithOffsets(s.Normalized, wordStart, wordLength, s.Pieces, s.Output));
    }

    private void EncodeWordWithOffsets(AlignedText normalized, int wordStart, int wordLength, List<ModelToken> pieces, List<EncodedToken> output)
    {
        ReadOnlySpan<char> word = normalized.Text.AsSpan(wordStart, wordLength);
        int byteCount = Encoding.UTF8.GetByteCount(word);
        // One slot past the word: the unit that follows it (see AlignedText.MapToOriginal).
        int[] spanStart = new int[byteCount + 1];
        int[] spanEnd = new int[byteCount + 1];
        int b = 0;
        for (int i = 0; i < word.Length;)
        {
            int codePoint = UnicodeText.CodePointAt(word, i, out int width);
            int bytes = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            for (int k = 0; k < bytes; k++, b++)
            {
                spanStart[b] = normalized.Start[wordStart + i];
                spanEnd[b] = normalized.End[wordStart + i];
            }

            i += width;
        }

        int after = wordStart + wordLength;
        spanStart[byteCount] = after < normalized.Text.Length ? normalized.Start[after] : -1;
        spanEnd[byteCount] = after < normalized.Text.Length ? normalized.End[after] : -1;
        pieces.Clear();
        _model.EncodeWithSpans(word, pieces);
        foreach (var piece in pieces)
        {
            output.Add(new EncodedToken(piece.Id, TokenValue(piece.Id), AlignedText.MapToOriginal(spanStart, spanEnd, piece.Start, piece.End)));
        }
    }

    private protected override string DecodeTokens(IReadOnlyList<int> ids, bool skipSpecialTokens)
    {
        // tokenizers' ByteLevel decoder: each token's characters back to bytes (a token with a character outside the
        // byte alphabet contributes its own UTF-8), then one lossy UTF-8 decode of everything.
        var bytes = new List<byte>(ids.Count * 4);
        foreach (int id in ids)
        {
            string? token;
            if (_addedVocabulary.TryGet(id, out var added))
            {
                if (skipSpecialTokens && added.Special)
                {
                    continue;
                }

                token = added.Content;
            }
            else
            {
                token = id >= 0 && id < _model.IdToToken.Length ? _model.IdToToken[id] : null;
            }

            if (token is null)
            {
                continue;
            }

            int before = bytes.Count;
            bool allBytes = true;
            foreach (char c in token)
            {
                int b = ByteLevelAlphabet.ToByte(c);
                if (b < 0)
                {
                    allBytes = false;
                    break;
                }

                bytes.Add((byte)b);
            }

            if (!allBytes)
            {
                bytes.RemoveRange(before, bytes.Count - before);
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
            }
        }

        string text = Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
        // CLIPTokenizerFast's decode wrapper: the end-of-word suffix becomes a space, then Python's strip().
        if (_model.EndOfWordSuffix.Length > 0)
        {
            text = text.Replace(_model.EndOfWordSuffix, " ", StringComparison.Ordinal);
        }

        return UnicodeText.PythonStrip(text);
    }
}
