using System.Buffers;
using Microsoft.ML.Clip.Hub;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// One of this library's tokenizers (<see cref="ClipTokenizer"/>, <see cref="XlmRobertaTokenizer"/>) as a
/// <see cref="Tokenizer"/> of <c>Microsoft.ML.Tokenizers</c>, so it plugs into code written against that abstraction
/// (<c>Tokenizer tokenizer = ClipBpeTokenizer.CreateDefault(); tokenizer.EncodeToIds(text, 77, out _, out _)</c>).
/// The ids are exactly Hugging Face's (<c>tokenizer(text)["input_ids"]</c>, start and end tokens included).
/// </summary>
/// <remarks>
/// <para>
/// <b>Offsets.</b> Each <see cref="EncodedToken.Offset"/> is a range of the <em>original</em> input string, whatever the
/// normaliser did to it (lower-casing, white-space runs, NFC/NFKC, SentencePiece's charsmap): a token covers the
/// characters it was produced from. Normalisation is part of the model here, so <see cref="Tokenizer.Normalizer"/> and
/// <see cref="Tokenizer.PreTokenizer"/> are null and every <c>normalizedText</c> out-parameter is null, which in
/// Microsoft.ML.Tokenizers' contract means offsets, <c>charsConsumed</c> and the token-count indices all refer to the
/// text that was passed in. As in Microsoft.ML.Tokenizers, the start tokens are at <c>0..0</c>, the end tokens at
/// <c>text.Length..text.Length</c>, and a character split over several tokens (the UTF-8 bytes of an emoji in byte-level
/// BPE, "ﬁ" normalised to "f" "i") belongs to the token that completes it: the earlier ones are empty ranges at its
/// start. A token that is only the <c>▁</c> SentencePiece puts before a word is empty too, unless the <c>▁</c> stands for
/// a space of the input. Characters the normaliser removes (trailing white space, the spaces between CLIP words)
/// belong to no token.
/// </para>
/// <para>
/// <b>Maximum token counts</b> behave like Hugging Face's <c>truncation=True, max_length=n</c>: the start and end tokens
/// are always kept and the pieces are cut to fit between them, so <c>EncodeToIds(text, 77, …)</c> is what a CLIP text
/// model takes. Unlike Hugging Face, a cut never falls inside a character (it moves back to the previous character
/// boundary). The <c>FromEnd</c> methods keep the last pieces (<c>truncation_side="left"</c>). When
/// <c>maxTokenCount</c> is smaller than the number of special tokens, only the first special tokens are returned.
/// An empty text gives the start and end tokens, as in Hugging Face.
/// </para>
/// <para>
/// <c>considerNormalization: false</c> skips the normaliser (the ids then differ from Hugging Face's);
/// <c>considerPreTokenization</c> is ignored: the word split is part of the model, as for
/// Microsoft.ML.Tokenizers' <c>SentencePieceTokenizer</c>. Decoding is <c>tokenizer.decode(ids)</c> of transformers
/// 4.37.2 (special tokens kept; see <see cref="Decode(IEnumerable{int}, bool)"/> to skip them). Thread-safe.
/// </para>
/// </remarks>
public abstract class PretrainedTokenizer : Tokenizer
{
    private protected PretrainedTokenizer(TextTokenizer textTokenizer)
    {
        TextTokenizer = textTokenizer ?? throw new ArgumentNullException(nameof(textTokenizer));
    }

    /// <summary>The tokenizer that does the work (batch encoding with padding and attention masks, the special ids).</summary>
    public TextTokenizer TextTokenizer { get; }

    /// <summary>
    /// Loads the tokenizer of a checkpoint folder or Hugging Face Hub id (only the tokenizer files are fetched):
    /// a <see cref="ClipBpeTokenizer"/> for X-CLIP/CLIP, an <see cref="XlmRobertaUnigramTokenizer"/> for AltCLIP.
    /// </summary>
    /// <param name="pathOrId">A folder, or a Hub id such as <c>microsoft/xclip-base-patch32</c> or <c>BAAI/AltCLIP</c>.</param>
    /// <param name="hubOptions">Hub cache options; null reads the environment.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="DirectoryNotFoundException">A folder path does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder or repository has no tokenizer files.</exception>
    /// <exception cref="InvalidDataException">A tokenizer file is malformed (the message names it).</exception>
    public static PretrainedTokenizer FromPretrained(string pathOrId, HubOptions? hubOptions = null) =>
        LoadTextTokenizer(pathOrId, hubOptions).AsTokenizer();

    /// <summary>Decodes ids as <c>tokenizer.decode(ids, skip_special_tokens=…)</c> does; ids outside the vocabulary are skipped.</summary>
    /// <param name="ids">The ids.</param>
    /// <param name="skipSpecialTokens">Whether to leave out special tokens (start, end, padding, unknown, mask).</param>
    /// <returns>The text.</returns>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return TextTokenizer.Decode(ids as IReadOnlyList<int> ?? ids.ToList(), skipSpecialTokens);
    }

    /// <summary>Decodes ids as <c>tokenizer.decode(ids)</c> does (special tokens kept; ids outside the vocabulary skipped).</summary>
    /// <param name="ids">The ids.</param>
    /// <returns>The text.</returns>
    public override string Decode(IEnumerable<int> ids) => Decode(ids, skipSpecialTokens: false);

    /// <summary>
    /// Decodes ids into <paramref name="destination"/>: the whole text is written (<see cref="OperationStatus.Done"/>),
    /// or nothing is when it does not fit (<see cref="OperationStatus.DestinationTooSmall"/>, no ids consumed) — decoding
    /// cleans up spaces across tokens, so a partial result would not be a prefix of the whole.
    /// </summary>
    /// <param name="ids">The ids.</param>
    /// <param name="destination">Where the text goes.</param>
    /// <param name="idsConsumed">All ids on success, else 0.</param>
    /// <param name="charsWritten">The text's length on success, else 0.</param>
    /// <returns>Whether the text fitted.</returns>
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var list = ids as IReadOnlyList<int> ?? ids.ToList();
        string text = TextTokenizer.Decode(list, skipSpecialTokens: false);
        if (text.Length > destination.Length)
        {
            idsConsumed = 0;
            charsWritten = 0;
            return OperationStatus.DestinationTooSmall;
        }

        text.AsSpan().CopyTo(destination);
        idsConsumed = list.Count;
        charsWritten = text.Length;
        return OperationStatus.Done;
    }

    /// <inheritdoc />
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        string input = text ?? textSpan.ToString();
        CheckMaxTokenCount(settings.MaxTokenCount);
        List<EncodedToken> tokens = TextTokenizer.EncodeWithOffsets(input, settings.ConsiderNormalization);
        if (tokens.Count <= settings.MaxTokenCount)
        {
            return new EncodeResults<EncodedToken> { Tokens = tokens, NormalizedText = null, CharsConsumed = input.Length };
        }

        var cut = TokenBudget.FromStart(tokens, TextTokenizer.PrefixIds.Count, TextTokenizer.SuffixIds.Count, settings.MaxTokenCount);
        return new EncodeResults<EncodedToken> { Tokens = cut.Tokens, NormalizedText = null, CharsConsumed = cut.Index };
    }

    /// <inheritdoc />
    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        string input = text ?? textSpan.ToString();
        CheckMaxTokenCount(settings.MaxTokenCount);
        if (settings.ConsiderNormalization)
        {
            int[] ids = TextTokenizer.Encode(input);
            if (ids.Length <= settings.MaxTokenCount)
            {
                return new EncodeResults<int> { Tokens = ids, NormalizedText = null, CharsConsumed = input.Length };
            }
        }

        var tokens = EncodeToTokens(input, default, settings);
        return new EncodeResults<int> { Tokens = tokens.Tokens.Select(t => t.Id).ToArray(), NormalizedText = null, CharsConsumed = tokens.CharsConsumed };
    }

    /// <inheritdoc />
    protected override int CountTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        string input = text ?? textSpan.ToString();
        return settings.ConsiderNormalization
            ? TextTokenizer.Encode(input).Length
            : TextTokenizer.EncodeWithOffsets(input, normalize: false).Count;
    }

    /// <inheritdoc />
    protected override int GetIndexByTokenCount(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings, bool fromEnd,
        out string? normalizedText, out int tokenCount)
    {
        string input = text ?? textSpan.ToString();
        CheckMaxTokenCount(settings.MaxTokenCount);
        normalizedText = null;
        if (settings.ConsiderNormalization)
        {
            int count = TextTokenizer.Encode(input).Length;
            if (count <= settings.MaxTokenCount)
            {
                tokenCount = count;
                return fromEnd ? 0 : input.Length;
            }
        }

        List<EncodedToken> tokens = TextTokenizer.EncodeWithOffsets(input, settings.ConsiderNormalization);
        if (tokens.Count <= settings.MaxTokenCount)
        {
            tokenCount = tokens.Count;
            return fromEnd ? 0 : input.Length;
        }

        int prefix = TextTokenizer.PrefixIds.Count;
        int suffix = TextTokenizer.SuffixIds.Count;
        var cut = fromEnd
            ? TokenBudget.FromEnd(tokens, prefix, suffix, settings.MaxTokenCount, input.Length)
            : TokenBudget.FromStart(tokens, prefix, suffix, settings.MaxTokenCount);
        tokenCount = cut.Tokens.Count;
        return cut.Index;
    }

    private static void CheckMaxTokenCount(int maxTokenCount)
    {
        if (maxTokenCount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTokenCount), maxTokenCount, "The maximum number of tokens must be greater than zero.");
        }
    }

    private protected static TextTokenizer LoadTextTokenizer(string pathOrId, HubOptions? hubOptions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrId);
        return TokenizerLoader.Load(HubModelResolver.Resolve(pathOrId, TokenizerLoader.HubFiles, hubOptions));
    }
}
