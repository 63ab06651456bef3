using Microsoft.ML.Clip.Hub;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.AltClip;

/// <summary>
/// The AltCLIP processor (<c>AltCLIPProcessor</c>): the CLIP image processor for images and the XLM-RoBERTa tokenizer
/// for texts in any language, producing the inputs of <see cref="AltClipModel"/>.
/// </summary>
public sealed class AltClipProcessor
{
    /// <summary>Combines a tokenizer and an image preprocessor.</summary>
    /// <param name="tokenizer">The XLM-R tokenizer.</param>
    /// <param name="vision">The CLIP image preprocessor.</param>
    /// <param name="maxTextLength">The longest token sequence the model takes (512 for <c>max_position_embeddings</c> 514).</param>
    public AltClipProcessor(TextTokenizer tokenizer, VisionPreprocessor vision, int maxTextLength = 512)
    {
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        Vision = vision ?? throw new ArgumentNullException(nameof(vision));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTextLength, 2);
        MaxTextLength = maxTextLength;
    }

    /// <summary>The tokenizer.</summary>
    public TextTokenizer Tokenizer { get; }

    /// <summary>The image preprocessor.</summary>
    public VisionPreprocessor Vision { get; }

    /// <summary>The longest token sequence produced (longer texts are truncated, keeping <c>&lt;/s&gt;</c>).</summary>
    public int MaxTextLength { get; }

    /// <summary>Loads the tokenizer files, <c>preprocessor_config.json</c> and <c>config.json</c> of a checkpoint folder or Hub id.</summary>
    /// <param name="pathOrId">A folder or a Hub id such as <c>BAAI/AltCLIP</c>.</param>
    /// <param name="hubOptions">Hub cache options; null reads the environment.</param>
    public static AltClipProcessor FromPretrained(string pathOrId, HubOptions? hubOptions = null)
    {
        string folder = PretrainedFiles.ResolveFolder(pathOrId, hubOptions);
        AltClipConfig config = AltClipConfig.FromFile(PretrainedFiles.ConfigPath(folder));
        TextTokenizer tokenizer = TokenizerLoader.Load(folder);
        int positions = config.TextConfig.MaxPositionEmbeddings - (config.TextConfig.PadTokenId ?? 1) - 1;
        return new AltClipProcessor(tokenizer, VisionPreprocessor.FromPretrained(folder), Math.Min(tokenizer.ModelMaxLength, positions));
    }

    /// <summary>Tokenizes texts, padded to the longest (<c>padding=True</c>) and truncated to <see cref="MaxTextLength"/>.</summary>
    /// <param name="texts">The texts, in any language.</param>
    public TokenBatch EncodeText(IReadOnlyList<string> texts) =>
        TokenBatch.From(Tokenizer.EncodeBatch(texts, MaxTextLength, Padding.Longest, truncation: true));

    /// <summary>Decodes and processes image files into <c>pixel_values [images, 3, H, W]</c>.</summary>
    /// <param name="imagePaths">Image files (any format ffmpeg reads).</param>
    /// <param name="cancellationToken">Cancels decoding.</param>
    public Tensor ProcessImages(IReadOnlyList<string> imagePaths, CancellationToken cancellationToken = default) =>
        Vision.Process(imagePaths, cancellationToken);

    /// <summary>Processes already decoded images into <c>pixel_values [images, 3, H, W]</c>.</summary>
    /// <param name="images">RGB images.</param>
    public Tensor ProcessImages(IReadOnlyList<RgbImage> images) => Vision.ProcessFrames(images);
}
