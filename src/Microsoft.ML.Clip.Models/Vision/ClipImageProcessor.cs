using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// <c>CLIPImageProcessor</c> (AltCLIP's image processor), bit-exact with transformers 4.37 + Pillow: convert to RGB,
/// shortest-edge resize (bicubic by default), centre crop, rescale, normalise, channels first.
/// </summary>
/// <remarks>
/// <c>do_convert_rgb</c>: images decoded by <see cref="VideoDecoder"/> are already converted the way Pillow's
/// <c>convert("RGB")</c> does (grayscale replicated, alpha dropped without compositing), and an
/// <see cref="RgbImage"/> is RGB by construction, so the flag has nothing left to do.
/// </remarks>
public sealed class ClipImageProcessor
{
    private readonly ImagePipeline _pipeline;

    /// <summary>Creates a processor from settings (see <see cref="ImageProcessorConfig.ClipDefaults"/>).</summary>
    /// <param name="config">The settings, usually from <see cref="ImageProcessorConfig.Load"/>.</param>
    public ClipImageProcessor(ImageProcessorConfig? config = null)
    {
        Config = config ?? ImageProcessorConfig.ClipDefaults;
        _pipeline = new ImagePipeline(Config);
    }

    /// <summary>The settings in use.</summary>
    public ImageProcessorConfig Config { get; }

    /// <summary>The per-image steps (for callers that place frames into a tensor themselves).</summary>
    internal ImagePipeline Pipeline => _pipeline;

    /// <summary>The (height, width) of the <c>[3, H, W]</c> values an image of the given size becomes (the crop size when cropping).</summary>
    /// <param name="width">The image's width.</param>
    /// <param name="height">The image's height.</param>
    public (int Height, int Width) OutputSize(int width, int height) => _pipeline.OutputSize(width, height);

    /// <summary>
    /// Processes one image into a caller-provided <c>[3, H, W]</c> buffer (e.g. an ML.NET <c>VBuffer</c>'s values),
    /// with exactly the values <c>Preprocess</c> produces.
    /// </summary>
    /// <param name="image">The image.</param>
    /// <param name="destination">Exactly <c>3 × H × W</c> floats, H and W from <see cref="OutputSize"/>.</param>
    /// <exception cref="ArgumentException">The destination has the wrong length.</exception>
    public void PreprocessInto(RgbImage image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        _pipeline.Process(image, destination);
    }

    /// <summary>Loads <c>preprocessor_config.json</c> from a model folder (CLIP defaults for absent fields).</summary>
    /// <param name="folder">The model folder.</param>
    public static ClipImageProcessor FromPretrained(string folder) =>
        new(ImageProcessorConfig.Load(Path.Combine(folder, "preprocessor_config.json"), ImageProcessorConfig.ClipDefaults));

    /// <summary>Processes images into <c>pixel_values</c> of shape <c>[images, 3, H, W]</c> (224×224 for AltCLIP).</summary>
    /// <param name="images">The images, any sizes.</param>
    /// <exception cref="ArgumentException">No images, or (without centre crop) images whose outputs differ in size.</exception>
    public Tensor Preprocess(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            throw new ArgumentException("At least one image is needed.", nameof(images));
        }

        (int h, int w) = FrameBatch.CommonOutputSize(_pipeline, images, "image");
        var pixelValues = new Tensor(images.Count, 3, h, w);
        FrameBatch.Run(_pipeline, images, pixelValues.Memory, 3 * h * w);
        return pixelValues;
    }

    /// <summary>Processes one image into <c>[1, 3, H, W]</c>.</summary>
    /// <param name="image">The image.</param>
    public Tensor Preprocess(RgbImage image) => Preprocess([image]);
}
