using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>Text → embedding.</summary>
internal sealed class TextEmbeddingFunction(Lazy<ITextEmbedder> model) : ClipFunction
{
    public override IReadOnlyList<ClipInputKind> AcceptedKinds { get; } = [ClipInputKind.Text];

    public override string ExpectedTypes => "String";

    public override int OutputLength => model.Value.Dimension;

    public override void LoadModels() => _ = model.Value;

    public override void Dispose() => DisposeIfLoaded(model);

    public override float[][] Compute(IReadOnlyList<object> inputs) =>
        Checked(model.Value.EmbedTexts(inputs.Cast<string>().ToArray()), inputs.Count, OutputLength, "The text model");
}

/// <summary>Video (path, frame paths or pixels) → embedding.</summary>
internal sealed class VideoEmbeddingFunction(Lazy<IVideoEmbedder> model) : ClipFunction
{
    public override IReadOnlyList<ClipInputKind> AcceptedKinds { get; } = [ClipInputKind.Text, ClipInputKind.TextVector, ClipInputKind.Pixels, ClipInputKind.Video];

    public override string ExpectedTypes => Expected(PixelValueCount);

    public override int PixelValueCount => model.Value.PixelValueCount;

    public override int OutputLength => model.Value.Dimension;

    public override void LoadModels() => _ = model.Value;

    public override void Dispose() => DisposeIfLoaded(model);

    public override float[][] Compute(IReadOnlyList<object> inputs) =>
        Checked(model.Value.EmbedVideos(inputs.Select(ToVideo).ToArray()), inputs.Count, OutputLength, "The video model");

    public static string Expected(int pixelValueCount) => ExpectedTypesOf(
        ClipMediaKind.Video, "String (video path)", "Vector<String> (frame image paths)", $"Vector<Single, {pixelValueCount}> (preprocessed pixels)");

    public static VideoInput ToVideo(object value) => value switch
    {
        VideoInput video => video,
        string path => VideoInput.FromFile(CheckPath(path)),
        string[] frames => VideoInput.FromFrames(frames),
        float[] pixels => VideoInput.FromPixels(pixels),
        _ => throw new ArgumentException($"Unsupported video value {value?.GetType()}."),
    };

    public static string CheckPath(string path) =>
        string.IsNullOrWhiteSpace(path) ? throw new ArgumentException("the path is empty") : path;
}

/// <summary>Image (path or pixels) → embedding.</summary>
internal sealed class ImageEmbeddingFunction(Lazy<IImageEmbedder> model) : ClipFunction
{
    public override IReadOnlyList<ClipInputKind> AcceptedKinds { get; } = [ClipInputKind.Text, ClipInputKind.Pixels, ClipInputKind.Image];

    public override string ExpectedTypes => Expected(PixelValueCount);

    public override int PixelValueCount => model.Value.PixelValueCount;

    public override int OutputLength => model.Value.Dimension;

    public override void LoadModels() => _ = model.Value;

    public override void Dispose() => DisposeIfLoaded(model);

    public override float[][] Compute(IReadOnlyList<object> inputs) =>
        Checked(model.Value.EmbedImages(inputs.Select(ToImage).ToArray()), inputs.Count, OutputLength, "The image model");

    public static string Expected(int pixelValueCount) =>
        ExpectedTypesOf(ClipMediaKind.Image, "String (image path)", $"Vector<Single, {pixelValueCount}> (preprocessed pixels)");

    public static ImageInput ToImage(object value) => value switch
    {
        ImageInput image => image,
        string path => ImageInput.FromFile(VideoEmbeddingFunction.CheckPath(path)),
        float[] pixels => ImageInput.FromPixels(pixels),
        _ => throw new ArgumentException($"Unsupported image value {value?.GetType()}."),
    };
}

/// <summary>Video or image → softmax probabilities over labels.</summary>
internal sealed class ZeroShotFunction : ClipFunction
{
    private readonly ClipModelFamily _family;
    private readonly Lazy<IZeroShotScorer<VideoInput>>? _video;
    private readonly Lazy<IZeroShotScorer<ImageInput>>? _image;
    private readonly Lazy<IVideoEmbedder>? _videoShape;
    private readonly Lazy<IImageEmbedder>? _imageShape;
    private readonly IReadOnlyList<IReadOnlyList<string>> _classPrompts;

    public ZeroShotFunction(ClipModelFamily family, Func<IClipModelLoader> loader, string model, IReadOnlyList<IReadOnlyList<string>> classPrompts)
    {
        _family = family;
        _classPrompts = classPrompts;
        if (family == ClipModelFamily.XClip)
        {
            _video = new(() => loader().LoadVideoZeroShotScorer(model), LazyThreadSafetyMode.ExecutionAndPublication);
            _videoShape = new(() => _video.Value as IVideoEmbedder ?? loader().LoadVideoEmbedder(model), LazyThreadSafetyMode.ExecutionAndPublication);
        }
        else
        {
            _image = new(() => loader().LoadImageZeroShotScorer(model), LazyThreadSafetyMode.ExecutionAndPublication);
            _imageShape = new(() => _image.Value as IImageEmbedder ?? loader().LoadImageEmbedder(model), LazyThreadSafetyMode.ExecutionAndPublication);
        }
    }

    public override IReadOnlyList<ClipInputKind> AcceptedKinds => _family == ClipModelFamily.XClip
        ? [ClipInputKind.Text, ClipInputKind.TextVector, ClipInputKind.Pixels, ClipInputKind.Video]
        : [ClipInputKind.Text, ClipInputKind.Pixels, ClipInputKind.Image];

    public override string ExpectedTypes => _family == ClipModelFamily.XClip
        ? VideoEmbeddingFunction.Expected(PixelValueCount)
        : ImageEmbeddingFunction.Expected(PixelValueCount);

    public override int PixelValueCount => _family == ClipModelFamily.XClip ? _videoShape!.Value.PixelValueCount : _imageShape!.Value.PixelValueCount;

    public override int OutputLength => _classPrompts.Count;

    public override void LoadModels() => _ = _family == ClipModelFamily.XClip ? _video!.Value : (object)_image!.Value;

    public override void Dispose()
    {
        DisposeIfLoaded(_video);
        DisposeIfLoaded(_image);
        DisposeIfLoaded(_videoShape);
        DisposeIfLoaded(_imageShape);
    }

    public override float[][] Compute(IReadOnlyList<object> inputs)
    {
        float[][] logits = _family == ClipModelFamily.XClip
            ? _video!.Value.ScoreLogits(inputs.Select(VideoEmbeddingFunction.ToVideo).ToArray(), _classPrompts)
            : _image!.Value.ScoreLogits(inputs.Select(ImageEmbeddingFunction.ToImage).ToArray(), _classPrompts);
        Checked(logits, inputs.Count, OutputLength, "The zero-shot scorer");
        return logits.Select(row => EmbeddingMath.Softmax(row)).ToArray();
    }
}
