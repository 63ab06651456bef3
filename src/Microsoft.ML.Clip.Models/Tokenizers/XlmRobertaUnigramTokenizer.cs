using Microsoft.ML.Clip.Hub;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// XLM-RoBERTa's SentencePiece Unigram (AltCLIP, <c>XLMRobertaTokenizerFast</c>) as a <see cref="Tokenizer"/> of
/// Microsoft.ML.Tokenizers, driven by <see cref="XlmRobertaTokenizer"/>: the same ids as Hugging Face (fairseq ids,
/// <c>&lt;s&gt; … &lt;/s&gt;</c> included, runs of unknown characters fused into one <c>&lt;unk&gt;</c>), with offsets
/// into the original text (see <see cref="PretrainedTokenizer"/> for the conventions).
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers' own <c>SentencePieceTokenizer</c> can read the same <c>sentencepiece.bpe.model</c>, but it
/// gives each unknown character its own <c>&lt;unk&gt;</c> where the Rust library (and so the model's training) fuses
/// a run of them into one, so on such text its ids are not the model's; this class is exact.
/// </remarks>
public sealed class XlmRobertaUnigramTokenizer : PretrainedTokenizer
{
    /// <summary>Wraps an XLM-RoBERTa tokenizer.</summary>
    /// <param name="tokenizer">The tokenizer that does the work.</param>
    public XlmRobertaUnigramTokenizer(XlmRobertaTokenizer tokenizer)
        : base(tokenizer)
    {
        XlmRobertaTokenizer = tokenizer;
    }

    /// <summary>The XLM-RoBERTa tokenizer that does the work.</summary>
    public XlmRobertaTokenizer XlmRobertaTokenizer { get; }

    /// <summary>Loads the XLM-RoBERTa tokenizer of a checkpoint folder or Hub id (only the tokenizer files are fetched).</summary>
    /// <param name="pathOrId">A folder, or a Hub id such as <c>BAAI/AltCLIP</c>.</param>
    /// <param name="hubOptions">Hub cache options; null reads the environment.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">There are no tokenizer files.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or the files are not an XLM-RoBERTa tokenizer's.</exception>
    public static new XlmRobertaUnigramTokenizer FromPretrained(string pathOrId, HubOptions? hubOptions = null) =>
        LoadTextTokenizer(pathOrId, hubOptions) is XlmRobertaTokenizer xlmr
            ? xlmr.AsTokenizer()
            : throw new InvalidDataException($"'{pathOrId}' holds a CLIP tokenizer, not an XLM-RoBERTa tokenizer; use ClipBpeTokenizer or PretrainedTokenizer.FromPretrained.");
}
