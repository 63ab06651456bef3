using Microsoft.ML.Clip.Hub;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Transforms;

/// <summary>
/// The default <see cref="IClipModelLoader"/>: resolves a local folder or a Hugging Face model id
/// (downloading into the Hub cache) and loads <see cref="XClipEmbedder"/> / <see cref="AltClipEmbedder"/>
/// (model, tokenizer and, when the folder has <c>preprocessor_config.json</c>, the image/video preprocessor).
/// </summary>
public sealed class ClipModelLoader : IClipModelLoader
{
    private readonly VisionPreprocessorOptions? _videoOptions;
    private readonly HubOptions? _hubOptions;
    private readonly ModelOptions? _modelOptions;

    /// <summary>Creates a loader.</summary>
    /// <param name="videoOptions">Frame sampling and ffmpeg location for X-CLIP video files (AltCLIP uses its ffmpeg location and
    /// decoder for images and the middle frame of videos); <see langword="null"/> for the model's defaults.</param>
    /// <param name="hubOptions">Hub cache, endpoint, token and offline mode; <see langword="null"/> reads the environment (<c>HF_HOME</c>, <c>HF_TOKEN</c>, …).</param>
    public ClipModelLoader(VisionPreprocessorOptions? videoOptions = null, HubOptions? hubOptions = null)
    {
        _videoOptions = videoOptions;
        _hubOptions = hubOptions;
    }

    /// <summary>A loader with default options.</summary>
    public static ClipModelLoader Default { get; } = new();

    /// <summary>The precision this loader loads models in.</summary>
    public ComputePrecision Precision => _modelOptions?.Precision ?? ComputePrecision.Float32;

    /// <summary>
    /// The loader a transform uses: its <see cref="ClipTransformOptions.ModelLoader"/> (a <see cref="ClipModelLoader"/> is
    /// given the transform's <see cref="ClipTransformOptions.Precision"/>; another loader decides itself), or the default
    /// loader in that precision.
    /// </summary>
    internal static IClipModelLoader For(ClipTransformOptions options) => options.ModelLoader switch
    {
        null => options.Precision == ComputePrecision.Float32 ? Default : Default.WithPrecision(options.Precision),
        ClipModelLoader loader => loader.Precision == options.Precision ? loader : loader.WithPrecision(options.Precision),
        IClipModelLoader other => other,
    };

    /// <summary>This loader's options with another precision.</summary>
    internal ClipModelLoader WithPrecision(ComputePrecision precision) => new(_videoOptions, _hubOptions, new ModelOptions { Precision = precision });

    private ClipModelLoader(VisionPreprocessorOptions? videoOptions, HubOptions? hubOptions, ModelOptions modelOptions)
        : this(videoOptions, hubOptions) => _modelOptions = modelOptions;

    /// <inheritdoc />
    public ITextEmbedder LoadTextEmbedder(ClipModelFamily family, string model) =>
        family == ClipModelFamily.XClip ? LoadXClip(model) : LoadAltClip(model);

    /// <inheritdoc />
    public IVideoEmbedder LoadVideoEmbedder(string model) => LoadXClip(model);

    /// <inheritdoc />
    public IImageEmbedder LoadImageEmbedder(string model) => LoadAltClip(model);

    /// <inheritdoc />
    public IZeroShotScorer<VideoInput> LoadVideoZeroShotScorer(string model) => LoadXClip(model);

    /// <inheritdoc />
    public IZeroShotScorer<ImageInput> LoadImageZeroShotScorer(string model) => LoadAltClip(model);

    private XClipEmbedder LoadXClip(string model) => XClipEmbedder.FromPretrained(Resolve(model), _videoOptions, _modelOptions);

    // AltCLIP takes the decoding settings (ffmpeg location, decoder) but not X-CLIP's frame count or sampling: an image
    // model embeds one frame of a video (the middle one).
    private AltClipEmbedder LoadAltClip(string model) =>
        AltClipEmbedder.FromPretrained(
            Resolve(model),
            _videoOptions is null ? null : new VisionPreprocessorOptions { Ffmpeg = _videoOptions.Ffmpeg, Decoder = _videoOptions.Decoder },
            _modelOptions);

    private string Resolve(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        return Directory.Exists(model) ? model : HubModelResolver.Resolve(model, options: _hubOptions);
    }
}
