namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// A text tokenizer that reproduces a Hugging Face fast (Rust) tokenizer id for id: the CLIP byte-level BPE
/// (<see cref="ClipTokenizer"/>, X-CLIP) or the XLM-RoBERTa SentencePiece Unigram (<see cref="XlmRobertaTokenizer"/>,
/// AltCLIP). Implementations are immutable after construction and safe to call from many threads at once.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>The largest input length the model accepts (<c>model_max_length</c>: 77 for CLIP, 512 for AltCLIP).</summary>
    int ModelMaxLength { get; }

    /// <summary>The id used for padding (CLIP: 49407 <c>&lt;|endoftext|&gt;</c>; XLM-R: 1 <c>&lt;pad&gt;</c>).</summary>
    int PadTokenId { get; }

    /// <summary>The number of ids, added tokens included (CLIP: 49408; XLM-R: 250002).</summary>
    int VocabularySize { get; }

    /// <summary>
    /// Tokenises one text with the start and end tokens added and no truncation or padding
    /// (<c>tokenizer(text)["input_ids"]</c>). Any string is accepted; see the class documentation for how
    /// unpaired surrogates are treated.
    /// </summary>
    /// <param name="text">The text to tokenise.</param>
    /// <returns>The token ids.</returns>
    int[] Encode(string text);

    /// <summary>
    /// Tokenises a batch as <c>tokenizer(texts, max_length=…, padding=…, truncation=…)</c> does: start/end tokens
    /// added, optional truncation (keeps the start token, the first pieces and the end token), optional right
    /// padding with <see cref="PadTokenId"/> and attention masks (1 for real tokens, 0 for padding).
    /// </summary>
    /// <param name="texts">The texts; none may be null.</param>
    /// <param name="maxLength">
    /// The length to truncate and/or pad to; when null, <see cref="ModelMaxLength"/> is used where one is needed
    /// (truncation on, or <see cref="Padding.MaxLength"/>).
    /// </param>
    /// <param name="padding">How to pad the batch.</param>
    /// <param name="truncation">Whether to cut rows longer than the maximum length.</param>
    /// <returns>The ids and attention masks, row by row and (when rectangular) flattened.</returns>
    TokenizedBatch EncodeBatch(IReadOnlyList<string> texts, int? maxLength = null, Padding padding = Padding.None, bool truncation = false);

    /// <summary>
    /// Turns ids back into text as <c>tokenizer.decode(ids, skip_special_tokens=…)</c> does in transformers 4.37.2,
    /// including <c>clean_up_tokenization</c>. Ids outside the vocabulary are skipped, as the Rust library does.
    /// </summary>
    /// <param name="ids">The ids to decode.</param>
    /// <param name="skipSpecialTokens">Whether to leave out special tokens (start, end, padding, unknown, mask).</param>
    /// <returns>The decoded text.</returns>
    string Decode(IReadOnlyList<int> ids, bool skipSpecialTokens = false);
}
