using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// The behaviour both tokenizers share: special tokens around the pieces, batch encoding with truncation,
/// padding and attention masks exactly as transformers' <c>PreTrainedTokenizerFast</c> drives the Rust library,
/// and decoding with <c>clean_up_tokenization</c>.
/// </summary>
public abstract class TextTokenizer : ITextTokenizer
{
    private const int ParallelBatchThreshold = 32;

    private protected TextTokenizer(int modelMaxLength, int padTokenId, int[] prefixIds, int[] suffixIds, bool cleanUpTokenizationSpaces)
    {
        if (modelMaxLength < prefixIds.Length + suffixIds.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(modelMaxLength), modelMaxLength,
                $"model_max_length must leave room for the {prefixIds.Length + suffixIds.Length} special tokens.");
        }

        ModelMaxLength = modelMaxLength;
        PadTokenId = padTokenId;
        PrefixIds = prefixIds;
        SuffixIds = suffixIds;
        CleanUpTokenizationSpaces = cleanUpTokenizationSpaces;
    }

    /// <inheritdoc />
    public int ModelMaxLength { get; }

    /// <inheritdoc />
    public int PadTokenId { get; }

    /// <inheritdoc />
    public abstract int VocabularySize { get; }

    /// <summary>Whether <see cref="Decode(IReadOnlyList{int}, bool)"/> applies transformers' <c>clean_up_tokenization</c> (<c>clean_up_tokenization_spaces</c>, default true).</summary>
    public bool CleanUpTokenizationSpaces { get; }

    /// <summary>The ids put before the pieces (CLIP <c>&lt;|startoftext|&gt;</c>, XLM-R <c>&lt;s&gt;</c>).</summary>
    public IReadOnlyList<int> PrefixIds { get; }

    /// <summary>The ids put after the pieces (CLIP <c>&lt;|endoftext|&gt;</c>, XLM-R <c>&lt;/s&gt;</c>).</summary>
    public IReadOnlyList<int> SuffixIds { get; }

    /// <summary>
    /// This tokenizer as a <c>Microsoft.ML.Tokenizers.Tokenizer</c> (<see cref="ClipBpeTokenizer"/> or
    /// <see cref="XlmRobertaUnigramTokenizer"/>), for code written against that abstraction.
    /// </summary>
    /// <returns>A tokenizer with the same ids, offsets into the original text; one shared instance per tokenizer.</returns>
    public abstract PretrainedTokenizer AsTokenizer();

    /// <inheritdoc />
    public int[] Encode(string text) => Encode(text, addSpecialTokens: true);

    /// <summary>Tokenises one text, with or without the start/end tokens (<c>add_special_tokens</c>), no truncation or padding.</summary>
    /// <param name="text">The text to tokenise.</param>
    /// <param name="addSpecialTokens">Whether to add the start and end tokens.</param>
    /// <returns>The token ids.</returns>
    public int[] Encode(string text, bool addSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        if (addSpecialTokens)
        {
            ids.AddRange(PrefixIds);
        }

        EncodePieces(UnicodeText.ReplaceLoneSurrogates(text), ids);
        if (addSpecialTokens)
        {
            ids.AddRange(SuffixIds);
        }

        return ids.ToArray();
    }

    /// <inheritdoc />
    public TokenizedBatch EncodeBatch(IReadOnlyList<string> texts, int? maxLength = null, Padding padding = Padding.None, bool truncation = false)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int specialCount = PrefixIds.Count + SuffixIds.Count;
        if (maxLength is int given && given < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), given, "maxLength must be positive.");
        }

        int limit = maxLength ?? ModelMaxLength;
        if (truncation && limit < specialCount)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), limit,
                $"With truncation, maxLength must be at least {specialCount} (the start and end tokens).");
        }

        var rows = new int[texts.Count][];
        void EncodeRow(int i)
        {
            string text = texts[i] ?? throw new ArgumentException($"texts[{i}] is null.", nameof(texts));
            var ids = new List<int>(Math.Min(text.Length / 3 + 4, 1 << 16));
            ids.AddRange(PrefixIds);
            EncodePieces(UnicodeText.ReplaceLoneSurrogates(text), ids);
            if (truncation && ids.Count + SuffixIds.Count > limit)
            {
                // Rust truncates the pieces to max_length - added tokens, then adds the special tokens.
                ids.RemoveRange(limit - SuffixIds.Count, ids.Count - (limit - SuffixIds.Count));
            }

            ids.AddRange(SuffixIds);
            rows[i] = ids.ToArray();
        }

        if (texts.Count >= ParallelBatchThreshold)
        {
            Parallel.For(0, texts.Count, EncodeRow);
        }
        else
        {
            for (int i = 0; i < texts.Count; i++)
            {
                EncodeRow(i);
            }
        }

        int target = padding switch
        {
            Padding.MaxLength => limit,
            Padding.Longest => rows.Length == 0 ? 0 : rows.Max(r => r.Length),
            _ => 0,
        };

        var inputIds = new long[rows.Length][];
        var masks = new long[rows.Length][];
        for (int i = 0; i < rows.Length; i++)
        {
            int[] row = rows[i];
            int length = Math.Max(row.Length, target);
            var ids = new long[length];
            var mask = new long[length];
            for (int j = 0; j < row.Length; j++)
            {
                ids[j] = row[j];
                mask[j] = 1;
            }

            ids.AsSpan(row.Length).Fill(PadTokenId);
            inputIds[i] = ids;
            masks[i] = mask;
        }

        return new TokenizedBatch(inputIds, masks);
    }

    /// <inheritdoc />
    public string Decode(IReadOnlyList<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        string text = DecodeTokens(ids, skipSpecialTokens);
        return CleanUpTokenizationSpaces ? CleanUpTokenization(text) : text;
    }

    /// <summary>Decodes <c>long</c> ids (as models and <see cref="TokenizedBatch"/> hold them); see <see cref="Decode(IReadOnlyList{int}, bool)"/>.</summary>
    /// <param name="ids">The ids to decode; values outside the <c>int</c> range are skipped like unknown ids.</param>
    /// <param name="skipSpecialTokens">Whether to leave out special tokens.</param>
    /// <returns>The decoded text.</returns>
    public string Decode(IReadOnlyList<long> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var narrow = new List<int>(ids.Count);
        foreach (long id in ids)
        {
            if (id is >= 0 and <= int.MaxValue)
            {
                narrow.Add((int)id);
            }
        }

        return Decode(narrow, skipSpecialTokens);
    }

    /// <summary>
    /// Tokenises one text with the start and end tokens, returning each token's id, string and range in
    /// <paramref name="text"/> (the start tokens at <c>0..0</c>, the end tokens at <c>text.Length..text.Length</c>, as
    /// Microsoft.ML.Tokenizers places them). With <paramref name="normalize"/> the ids equal <see cref="Encode(string)"/>'s.
    /// </summary>
    internal List<EncodedToken> EncodeWithOffsets(string text, bool normalize)
    {
        var tokens = new List<EncodedToken>(text.Length / 3 + 4);
        foreach (int id in PrefixIds)
        {
            tokens.Add(new EncodedToken(id, TokenValue(id), new Range(0, 0)));
        }

        EncodePiecesWithOffsets(UnicodeText.ReplaceLoneSurrogates(text), normalize, tokens);
        foreach (int id in SuffixIds)
        {
            tokens.Add(new EncodedToken(id, TokenValue(id), new Range(text.Length, text.Length)));
        }

        return tokens;
    }

    /// <summary>The string of a token id (an added token's content, else the model's piece), or empty when no token has the id.</summary>
    internal abstract string TokenValue(int id);

    /// <summary>
    /// Appends the tokens of <paramref name="text"/> (no special tokens added) with their ranges in it; without
    /// <paramref name="normalize"/> the normaliser is skipped. The text holds no lone surrogates.
    /// </summary>
    private protected abstract void EncodePiecesWithOffsets(string text, bool normalize, List<EncodedToken> output);

    /// <summary>Appends the ids of the pieces of <paramref name="text"/> (no special tokens added); the text holds no lone surrogates.</summary>
    private protected abstract void EncodePieces(string text, List<int> ids);

    /// <summary>The backend decode (Rust <c>Tokenizer::decode</c> plus any wrapper), before <c>clean_up_tokenization</c>.</summary>
    private protected abstract string DecodeTokens(IReadOnlyList<int> ids, bool skipSpecialTokens);

    /// <summary>transformers' <c>PreTrainedTokenizerBase.clean_up_tokenization</c>.</summary>
    internal static string CleanUpTokenization(string text) =>
        text.Replace(" .", ".", StringComparison.Ordinal)
            .Replace(" ?", "?", StringComparison.Ordinal)
            .Replace(" !", "!", StringComparison.Ordinal)
            .Replace(" ,", ",", StringComparison.Ordinal)
            .Replace(" ' ", "'", StringComparison.Ordinal)
            .Replace(" n't", "n't", StringComparison.Ordinal)
            .Replace(" 'm", "'m", StringComparison.Ordinal)
            .Replace(" 's", "'s", StringComparison.Ordinal)
            .Replace(" 've", "'ve", StringComparison.Ordinal)
            .Replace(" 're", "'re", StringComparison.Ordinal);
}
