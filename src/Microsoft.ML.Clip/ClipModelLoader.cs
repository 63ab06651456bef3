using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Transforms;

/// <summary>The default <see cref="IClipModelLoader"/>: loads X-CLIP/AltCLIP models from a folder or the Hugging Face Hub.</summary>
public sealed class ClipModelLoader : IClipModelLoader
{
    private ClipModelLoader()
    {
    }

    /// <summary>The shared instance.</summary>
    public static ClipModelLoader Default { get; } = new();

    /// <inheritdoc />
    public ITextEmbedder LoadTextEmbedder(ClipModelFamily family, string model) => throw Unavailable(model);

    /// <inheritdoc />
    public IVideoEmbedder LoadVideoEmbedder(string model) => throw Unavailable(model);

    /// <inheritdoc />
    public IImageEmbedder LoadImageEmbedder(string model) => throw Unavailable(model);

    /// <inheritdoc />
    public IZeroShotScorer<VideoInput> LoadVideoZeroShotScorer(string model) => throw Unavailable(model);

    /// <inheritdoc />
    public IZeroShotScorer<ImageInput> LoadImageZeroShotScorer(string model) => throw Unavailable(model);

    private static InvalidOperationException Unavailable(string model) =>
        new($"Cannot load model '{model}': the model backend is not wired in yet.");
}
