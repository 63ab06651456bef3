using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// <c>VideoMAEImageProcessor</c> (X-CLIP's processor), bit-exact with transformers 4.37 + Pillow for 8-bit RGB
/// frames: shortest-edge resize (bilinear for X-CLIP), centre crop, rescale, normalise, frames × channels first.
/// </summary>
/// <remarks>
/// Python's processor raises for grayscale or RGBA frames ("Unsupported number of image dimensions",
/// "Unable to infer channel dimension format"). Here frames are always <see cref="RgbImage"/>s, and the decoder
/// converts grayscale and RGBA inputs the way <c>CLIPImageProcessor</c> does (Pillow <c>convert("RGB")</c>:
/// gray replicated, alpha dropped). RGB frames give exactly Python's values.
/// </remarks>
public sealed class VideoMaeImageProcessor
{
    private readonly ImagePipeline _pipeline;

    /// <summary>Creates a processor from settings (see <see cref="ImageProcessorConfig.VideoMaeDefaults"/>).</summary>
    /// <param name="config">The settings, usually from <see cref="ImageProcessorConfig.Load"/>.</param>
    public VideoMaeImageProcessor(ImageProcessorConfig? config = null)
    {
        Config = config ?? ImageProcessorConfig.VideoMaeDefaults;
        _pipeline = new ImagePipeline(Config);
    }

    /// <summary>The settings in use.</summary>
    public ImageProcessorConfig Config { get; }

    /// <summary>The per-image steps (for callers that place frames into a tensor themselves).</summary>
    internal ImagePipeline Pipeline => _pipeline;

    /// <summary>The (height, width) of the <c>[3, H, W]</c> values an frame of the given size becomes (the crop size when cropping).</summary>
    /// <param name="width">The frame's width.</param>
    /// <param name="height">The frame's height.</param>
    public (int Height, int Width) OutputSize(int width, int height) => _pipeline.OutputSize(width, height);

    /// <summary>
    /// Processes one frame into a caller-provided <c>[3, H, W]</c> buffer (e.g. an ML.NET <c>VBuffer</c>'s values),
    /// with exactly the values <c>Preprocess</c> produces.
    /// </summary>
    /// <param name="frame">The frame.</param>
    /// <param name="destination">Exactly <c>3 × H × W</c> floats, H and W from <see cref="OutputSize"/>.</param>
    /// <exception cref="ArgumentException">The destination has the wrong length.</exception>
    public void PreprocessInto(RgbImage frame, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(frame);
        _pipeline.Process(frame, destination);
    }

    /// <summary>Loads <c>preprocessor_config.json</c> from a model folder (VideoMAE defaults for absent fields).</summary>
    /// <param name="folder">The model folder.</param>
    public static VideoMaeImageProcessor FromPretrained(string folder) =>
        new(ImageProcessorConfig.Load(Path.Combine(folder, "preprocessor_config.json"), ImageProcessorConfig.VideoMaeDefaults));

    /// <summary>
    /// Processes videos (each a list of frames) into <c>pixel_values</c> of shape <c>[videos, frames, 3, H, W]</c>.
    /// Frames may have any sizes; they are processed in parallel.
    /// </summary>
    /// <param name="videos">The videos; every video must have the same number of frames.</param>
    /// <exception cref="ArgumentException">No videos, an empty video, or videos with different frame counts.</exception>
    public Tensor Preprocess(IReadOnlyList<IReadOnlyList<RgbImage>> videos)
    {
        ArgumentNullException.ThrowIfNull(videos);
        if (videos.Count == 0)
        {
            throw new ArgumentException("At least one video is needed.", nameof(videos));
        }

        int frames = videos[0].Count;
        for (int v = 0; v < videos.Count; v++)
        {
            if (videos[v].Count == 0 || videos[v].Count != frames)
            {
                throw new ArgumentException(
                    $"Every video must have the same, non-zero number of frames: video 0 has {frames}, video {v} has {videos[v].Count}.",
                    nameof(videos));
            }
        }

        RgbImage[] all = videos.SelectMany(v => v).ToArray();
        (int h, int w) = FrameBatch.CommonOutputSize(_pipeline, all, "frame");
        var pixelValues = new Tensor(videos.Count, frames, 3, h, w);
        FrameBatch.Run(_pipeline, all, pixelValues.Memory, 3 * h * w);
        return pixelValues;
    }

    /// <summary>Processes the frames of one video into <c>[1, frames, 3, H, W]</c>.</summary>
    /// <param name="frames">The frames, in time order.</param>
    public Tensor Preprocess(IReadOnlyList<RgbImage> frames) => Preprocess([frames]);
}
