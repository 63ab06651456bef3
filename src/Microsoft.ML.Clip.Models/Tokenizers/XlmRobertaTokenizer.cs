using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// AltCLIP's text tokenizer, identical id for id to transformers' <c>XLMRobertaTokenizerFast</c> (Rust
/// <c>tokenizers</c>): <c>&lt;s&gt;</c>, <c>&lt;pad&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;unk&gt;</c> cut out of the raw text;
/// the SentencePiece <c>precompiled_charsmap</c> (<c>nmt_nfkc</c>), right strip and runs of spaces → <c>▁</c>;
/// <c>&lt;mask&gt;</c> (absorbing the white space before it) cut out of the normalised text; Metaspace
/// (<c>▁</c> prefix, a piece per word); Unigram Viterbi over the piece scores with fused unknowns; fairseq ids
/// (<c>&lt;s&gt;</c>=0, <c>&lt;pad&gt;</c>=1, <c>&lt;/s&gt;</c>=2, <c>&lt;unk&gt;</c>=3, SentencePiece piece <i>i</i> → <i>i</i>+1,
/// <c>&lt;mask&gt;</c> last); <c>&lt;s&gt; … &lt;/s&gt;</c>; padding with <c>&lt;pad&gt;</c>.
/// </summary>
/// <remarks>
/// Load the real model of <c>BAAI/AltCLIP</c> (<c>sentencepiece.bpe.model</c>, 250,000 pieces, or its
/// <c>tokenizer.json</c>) with <see cref="FromSentencePieceModel"/>, <see cref="FromTokenizerJson"/> or
/// <see cref="TokenizerLoader"/>. Nothing depends on the number or content of the pieces. Thread-safe. Unpaired
/// UTF-16 surrogates are read as U+FFFD. For code written against <c>Microsoft.ML.Tokenizers</c>,
/// <see cref="AsTokenizer"/> gives this tokenizer as a <c>Tokenizer</c> (with offsets).
/// </remarks>
public sealed class XlmRobertaTokenizer : TextTokenizer
{
    /// <summary>XLM-R's <c>model_max_length</c> in AltCLIP's tokenizer_config.json.</summary>
    public const int DefaultModelMaxLength = 512;

    private readonly UnigramModel _model;
    private readonly AddedVocabulary _addedVocabulary;
    private XlmRobertaUnigramTokenizer? _asTokenizer;
    private readonly IReadOnlyList<NormalizerStep> _normalizer;
    private readonly Metaspace _preTokenizer;
    private readonly Metaspace _decoder;
    private readonly int _vocabularySize;

    private XlmRobertaTokenizer(UnigramModel model, IReadOnlyList<AddedToken> addedTokens, IReadOnlyList<NormalizerStep> normalizer,
        Metaspace preTokenizer, Metaspace decoder, int[] prefix, int[] suffix, int padId, TokenizerSettings? settings)
        : base(settings?.ModelMaxLength ?? DefaultModelMaxLength, padId, prefix, suffix, settings?.CleanUpTokenizationSpaces ?? true)
    {
        _model = model;
        _addedVocabulary = new AddedVocabulary(addedTokens);
        _normalizer = normalizer;
        _preTokenizer = preTokenizer;
        _decoder = decoder;
        _vocabularySize = Math.Max(model.Count, addedTokens.Count == 0 ? 0 : addedTokens.Max(t => t.Id) + 1);
    }

    /// <inheritdoc />
    public override int VocabularySize => _vocabularySize;

    /// <summary>The id of <c>&lt;mask&gt;</c> (250001 for XLM-R), or -1 when there is none.</summary>
    public int MaskTokenId => _addedVocabulary.Tokens.FirstOrDefault(t => t.Content == "<mask>")?.Id ?? -1;

    /// <summary>
    /// Loads the tokenizer from a SentencePiece model (<c>sentencepiece.bpe.model</c>), building what transformers
    /// 4.37.2's <c>XLMRobertaConverter</c> builds: normaliser <c>[Precompiled(charsmap), Strip(right),
    /// Replace(" {2,}" → "▁")]</c>, Metaspace with prepend "always", vocabulary
    /// <c>[&lt;s&gt;, &lt;pad&gt;, &lt;/s&gt;, &lt;unk&gt;] + pieces[3:] + [&lt;mask&gt;]</c>.
    /// </summary>
    /// <param name="modelPath">The SentencePiece model file.</param>
    /// <param name="settings">Values from <c>tokenizer_config.json</c>, or null for XLM-R's defaults.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is not a SentencePiece model (the message names it).</exception>
    /// <exception cref="NotSupportedException">The model is not a Unigram model, or uses byte fallback.</exception>
    public static XlmRobertaTokenizer FromSentencePieceModel(string modelPath, TokenizerSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        var spm = SentencePieceModel.Load(modelPath);
        if (spm.ModelType != 1)
        {
            throw new NotSupportedException($"{modelPath}: SentencePiece model_type {spm.ModelType} is not Unigram (1), which XLM-RoBERTa uses.");
        }

        if (spm.ByteFallback)
        {
            throw new NotSupportedException($"{modelPath}: byte_fallback models are not XLM-RoBERTa models and are not supported.");
        }

        if (spm.Pieces.Count < 3)
        {
            throw new InvalidDataException($"{modelPath}: only {spm.Pieces.Count} pieces; an XLM-R model starts with <unk>, <s>, </s>.");
        }

        var vocabulary = new List<(string, double)> { ("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0) };
        for (int i = 3; i < spm.Pieces.Count; i++)
        {
            vocabulary.Add((spm.Pieces[i].Piece, spm.Pieces[i].Score));
        }

        vocabulary.Add(("<mask>", 0.0));
        int maskId = vocabulary.Count - 1;
        var model = new UnigramModel(vocabulary, unknownId: 3, modelPath);

        var normalizer = new List<NormalizerStep>();
        if (spm.PrecompiledCharsMap.Length > 0)
        {
            normalizer.Add(new PrecompiledStep(new PrecompiledCharsMap(spm.PrecompiledCharsMap, modelPath)));
        }

        normalizer.Add(new StripStep(left: false, right: true));
        normalizer.Add(ReplaceStep.SpaceRuns("\u2581"));
        var metaspace = new Metaspace('\u2581', PrependScheme.Always, split: true);
        var added = new List<AddedToken>
        {
            new("<s>", 0, Special: true, Normalized: false),
            new("<pad>", 1, Special: true, Normalized: false),
            new("</s>", 2, Special: true, Normalized: false),
            new("<unk>", 3, Special: true, Normalized: false),
            new("<mask>", maskId, Special: true, Normalized: true, LStrip: true),
        };
        int padId = ResolvePadId(settings?.PadToken ?? "<pad>", added, model, modelPath);
        return new XlmRobertaTokenizer(model, added, normalizer, metaspace, metaspace, new[] { 0 }, new[] { 2 }, padId, settings);
    }

    /// <summary>Loads the tokenizer from a Hugging Face <c>tokenizer.json</c> with a Unigram model, building the pipeline the file describes.</summary>
    /// <param name="tokenizerJsonPath">The file.</param>
    /// <param name="settings">Values from <c>tokenizer_config.json</c>, or null for XLM-R's defaults.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is malformed (the message names it).</exception>
    /// <exception cref="NotSupportedException">The file uses a pipeline step this tokenizer does not implement.</exception>
    public static XlmRobertaTokenizer FromTokenizerJson(string tokenizerJsonPath, TokenizerSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizerJsonPath);
        string source = tokenizerJsonPath;
        using var document = TokenizerJson.Parse(tokenizerJsonPath);
        var root = document.RootElement;
        var modelElement = TokenizerJson.Required(root, "model", source, "$");
        string? type = TokenizerJson.OptionalString(modelElement, "type");
        if (type is not null && type != "Unigram")
        {
            throw new InvalidDataException($"{source}: model type is '{type}', but the XLM-RoBERTa tokenizer needs a Unigram model.");
        }

        if (TokenizerJson.OptionalBool(modelElement, "byte_fallback", false))
        {
            throw new NotSupportedException($"{source}: Unigram byte_fallback is not used by XLM-RoBERTa and is not supported.");
        }

        var vocabulary = ReadUnigramVocabulary(TokenizerJson.Required(modelElement, "vocab", source, "model"), source);
        if (!modelElement.TryGetProperty("unk_id", out var unkElement) || !unkElement.TryGetInt32(out int unknownId))
        {
            throw new InvalidDataException($"{source}: 'model.unk_id' is missing; XLM-RoBERTa's Unigram model has one (3).");
        }

        var model = new UnigramModel(vocabulary, unknownId, source);
        var normalizer = root.TryGetProperty("normalizer", out var normalizerElement)
            ? NormalizerStep.ReadAll(normalizerElement, source)
            : new List<NormalizerStep>();
        var preTokenizer = ReadMetaspace(root, "pre_tokenizer", source)
            ?? throw new NotSupportedException($"{source}: the pre_tokenizer is not Metaspace, which XLM-RoBERTa uses.");
        var decoder = ReadMetaspace(root, "decoder", source) ?? preTokenizer;
        var added = TokenizerJson.ReadAddedTokens(root, source);
        var (prefix, suffix) = TokenizerJson.ReadPostProcessor(root, source);
        int padId = ResolvePadId(settings?.PadToken ?? "<pad>", added, model, source);
        return new XlmRobertaTokenizer(model, added, normalizer, preTokenizer, decoder, prefix, suffix, padId, settings);
    }

    private static List<(string, double)> ReadUnigramVocabulary(JsonElement vocab, string source)
    {
        if (vocab.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{source}: 'model.vocab' must be an array of [piece, score].");
        }

        var list = new List<(string, double)>(vocab.GetArrayLength());
        foreach (var entry in vocab.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2 || entry[0].ValueKind != JsonValueKind.String
                || entry[1].ValueKind != JsonValueKind.Number)
            {
                throw new InvalidDataException($"{source}: model.vocab[{list.Count}] must be [piece, score], found {entry}.");
            }

            list.Add((entry[0].GetString()!, entry[1].GetDouble()));
        }

        return list;
    }

    private static Metaspace? ReadMetaspace(JsonElement root, string name, string source)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        string? type = TokenizerJson.OptionalString(element, "type");
        if (type == "Metaspace")
        {
            return Metaspace.Read(element, source, name);
        }

        if (type == "Sequence")
        {
            string listName = name == "decoder" ? "decoders" : "pretokenizers";
            var steps = TokenizerJson.Required(element, listName, source, name);
            if (steps.GetArrayLength() == 1 && TokenizerJson.OptionalString(steps[0], "type") == "Metaspace")
            {
                return Metaspace.Read(steps[0], source, name);
            }
        }

        throw new NotSupportedException($"{source}: {name} type '{type}' is not supported here (Metaspace expected).");
    }

    private static int ResolvePadId(string padToken, IReadOnlyList<AddedToken> added, UnigramModel model, string source)
    {
        foreach (var token in added)
        {
            if (token.Content == padToken)
            {
                return token.Id;
            }
        }

        for (int id = 0; id < model.Count; id++)
        {
            if (model.IdToToken(id) == padToken)
            {
                return id;
            }
        }

        throw new InvalidDataException($"{source}: the padding token \"{padToken}\" is not in the vocabulary.");
    }

    private protected override void EncodePieces(string text, List<int> ids) =>
        _addedVocabulary.Encode(text, ids, Normalize, EncodeRun);

    /// <summary>The normaliser alone (the tokenizer.json normalizer steps), for a text with no lone surrogates.</summary>
    internal string Normalize(string text)
    {
        foreach (var step in _normalizer)
        {
            text = step.Apply(text);
            if (text.Length == 0)
            {
                break;
            }
        }

        return text;
    }

    private void EncodeRun(string normalized, int start, int length, bool atTextStart, List<int> ids) =>
        _preTokenizer.PreTokenize(normalized, start, length, atTextStart, _model, ids);

    /// <inheritdoc />
    public override XlmRobertaUnigramTokenizer AsTokenizer() => _asTokenizer ??= new XlmRobertaUnigramTokenizer(this);

    internal override string TokenValue(int id) =>
        _addedVocabulary.TryGet(id, out var added) ? added.Content : _model.IdToToken(id) ?? string.Empty;

    private protected override void EncodePiecesWithOffsets(string text, bool normalize, List<EncodedToken> output) =>
        _addedVocabulary.EncodeWithOffsets(text, normalize ? NormalizeWithAlignment : static t => t, EncodeRunWithOffsets, output);

    private AlignedText NormalizeWithAlignment(AlignedText text)
    {
        foreach (var step in _normalizer)
        {
            text = step.Apply(text);
            if (text.Text.Length == 0)
            {
                break;
            }
        }

        return text;
    }

    private void EncodeRunWithOffsets(AlignedText normalized, int start, int length, bool atTextStart, List<EncodedToken> output) =>
        _preTokenizer.PreTokenizeWithOffsets(normalized, start, length, atTextStart, _model, TokenValue, output);

    private protected override string DecodeTokens(IReadOnlyList<int> ids, bool skipSpecialTokens)
    {
        var tokens = new List<string>(ids.Count);
        foreach (int id in ids)
        {
            if (_addedVocabulary.TryGet(id, out var added))
            {
                if (!(skipSpecialTokens && added.Special))
                {
                    tokens.Add(added.Content);
                }

                continue;
            }

            if (_model.IdToToken(id) is string piece)
            {
                tokens.Add(piece);
            }
        }

        return _decoder.Decode(tokens);
    }
}
