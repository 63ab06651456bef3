using Microsoft.ML.Clip.Hub;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// CLIP's byte-level BPE (X-CLIP, <c>CLIPTokenizerFast</c>) as a <see cref="Tokenizer"/> of Microsoft.ML.Tokenizers,
/// driven by <see cref="ClipTokenizer"/>: the same ids as Hugging Face, <c>&lt;|startoftext|&gt; … &lt;|endoftext|&gt;</c>
/// included, with offsets into the original text (see <see cref="PretrainedTokenizer"/> for the conventions).
/// </summary>
/// <example>
/// <code>
/// Tokenizer tokenizer = ClipBpeTokenizer.CreateDefault();
/// IReadOnlyList&lt;int&gt; ids = tokenizer.EncodeToIds("A photo of a cat", 77, out _, out int charsConsumed);
/// </code>
/// </example>
public sealed class ClipBpeTokenizer : PretrainedTokenizer
{
    /// <summary>Wraps a CLIP tokenizer.</summary>
    /// <param name="tokenizer">The tokenizer that does the work.</param>
    public ClipBpeTokenizer(ClipTokenizer tokenizer)
        : base(tokenizer)
    {
        ClipTokenizer = tokenizer;
    }

    /// <summary>The CLIP tokenizer that does the work.</summary>
    public ClipTokenizer ClipTokenizer { get; }

    /// <summary>The tokenizer of <c>openai/clip-vit-base-patch32</c> / <c>microsoft/xclip-base-patch32</c>, from the vocabulary embedded in this assembly.</summary>
    /// <returns>A shared instance.</returns>
    public static ClipBpeTokenizer CreateDefault() => ClipTokenizer.CreateDefault().AsTokenizer();

    /// <summary>Loads the CLIP tokenizer of a checkpoint folder or Hub id (only the tokenizer files are fetched).</summary>
    /// <param name="pathOrId">A folder, or a Hub id such as <c>microsoft/xclip-base-patch32</c>.</param>
    /// <param name="hubOptions">Hub cache options; null reads the environment.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">There are no tokenizer files.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or the files are not a CLIP tokenizer's.</exception>
    public static new ClipBpeTokenizer FromPretrained(string pathOrId, HubOptions? hubOptions = null) =>
        LoadTextTokenizer(pathOrId, hubOptions) is ClipTokenizer clip
            ? clip.AsTokenizer()
            : throw new InvalidDataException($"'{pathOrId}' holds an XLM-RoBERTa tokenizer, not a CLIP BPE tokenizer; use XlmRobertaUnigramTokenizer or PretrainedTokenizer.FromPretrained.");
}
