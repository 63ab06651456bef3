using Microsoft.ML.Clip.Hub;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.XClip;

/// <summary>
/// The X-CLIP processor (<c>XCLIPProcessor</c>): the VideoMAE image processor for videos (decoded with ffmpeg, frames
/// sampled) and the CLIP tokenizer for texts, producing the inputs of <see cref="XClipModel"/>.
/// </summary>
public sealed class XClipProcessor
{
    /// <summary>Combines a tokenizer and a video preprocessor.</summary>
    /// <param name="tokenizer">The CLIP tokenizer.</param>
    /// <param name="vision">The VideoMAE preprocessor (its frame count must be the model's <c>num_frames</c>).</param>
    /// <param name="maxTextLength">The longest token sequence the model takes (<c>max_position_embeddings</c>, 77).</param>
    public XClipProcessor(TextTokenizer tokenizer, VisionPreprocessor vision, int maxTextLength = 77)
    {
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        Vision = vision ?? throw new ArgumentNullException(nameof(vision));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTextLength, 2);
        MaxTextLength = maxTextLength;
    }

    /// <summary>The tokenizer.</summary>
    public TextTokenizer Tokenizer { get; }

    /// <summary>The video preprocessor.</summary>
    public VisionPreprocessor Vision { get; }

    /// <summary>The longest token sequence produced (longer texts are truncated, keeping the end-of-text token).</summary>
    public int MaxTextLength { get; }

    /// <summary>
    /// Loads the tokenizer files, <c>preprocessor_config.json</c> and <c>config.json</c> (for <c>num_frames</c> and the text
    /// length) of a checkpoint folder or Hub id.
    /// </summary>
    /// <param name="pathOrId">A folder or a Hub id such as <c>microsoft/xclip-base-patch32</c>.</param>
    /// <param name="visionOptions">Frame sampling, ffmpeg location; null for the defaults.</param>
    /// <param name="hubOptions">Hub cache options; null reads the environment.</param>
    public static XClipProcessor FromPretrained(string pathOrId, VisionPreprocessorOptions? visionOptions = null, HubOptions? hubOptions = null)
    {
        string folder = PretrainedFiles.ResolveFolder(pathOrId, hubOptions);
        XClipConfig config = XClipConfig.FromFile(PretrainedFiles.ConfigPath(folder));
        visionOptions ??= new VisionPreprocessorOptions();
        visionOptions = visionOptions with { NumFrames = visionOptions.NumFrames ?? config.VisionConfig.NumFrames };
        return new XClipProcessor(TokenizerLoader.Load(folder), VisionPreprocessor.FromPretrained(folder, visionOptions), config.TextConfig.MaxPositionEmbeddings);
    }

    /// <summary>Tokenizes texts, padded to the longest (<c>padding=True</c>) and truncated to <see cref="MaxTextLength"/>.</summary>
    /// <param name="texts">The texts, in any language CLIP's byte-level BPE handles.</param>
    public TokenBatch EncodeText(IReadOnlyList<string> texts) =>
        TokenBatch.From(Tokenizer.EncodeBatch(texts, MaxTextLength, Padding.Longest, truncation: true));

    /// <summary>Decodes, samples and processes video files into <c>pixel_values [videos, num_frames, 3, H, W]</c>.</summary>
    /// <param name="videoPaths">Video files (one clip per video unless the sampling asks for more).</param>
    /// <param name="cancellationToken">Cancels decoding.</param>
    public Tensor ProcessVideos(IReadOnlyList<string> videoPaths, CancellationToken cancellationToken = default) =>
        Vision.Process(videoPaths, cancellationToken);

    /// <summary>Processes the already decoded frames of one video into <c>pixel_values [1, num_frames, 3, H, W]</c>.</summary>
    /// <param name="frames">Exactly <c>num_frames</c> RGB frames, in time order.</param>
    public Tensor ProcessFrames(IReadOnlyList<RgbImage> frames) => Vision.ProcessFrames(frames);
}
