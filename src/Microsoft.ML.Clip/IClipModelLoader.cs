using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Transforms;

/// <summary>
/// Loads the models behind the ML.NET transforms from a model reference (a local model folder or a
/// Hugging Face model id). <see cref="ClipModelLoader.Default"/> loads the real models; tests and
/// hosts with their own model management pass another implementation in the transforms' options.
/// </summary>
/// <remarks>Each transformer calls the loader at most once per model it needs; the embedders returned must be thread-safe.</remarks>
public interface IClipModelLoader
{
    /// <summary>Loads a text embedder (X-CLIP <c>get_text_features</c> or AltCLIP text features).</summary>
    /// <param name="family">The model family.</param>
    /// <param name="model">The model folder or Hub id.</param>
    /// <returns>The embedder.</returns>
    ITextEmbedder LoadTextEmbedder(ClipModelFamily family, string model);

    /// <summary>Loads an X-CLIP video embedder (<c>get_video_features</c>).</summary>
    /// <param name="model">The model folder or Hub id.</param>
    /// <returns>The embedder.</returns>
    IVideoEmbedder LoadVideoEmbedder(string model);

    /// <summary>Loads an AltCLIP image embedder (<c>get_image_features</c>).</summary>
    /// <param name="model">The model folder or Hub id.</param>
    /// <returns>The embedder.</returns>
    IImageEmbedder LoadImageEmbedder(string model);

    /// <summary>Loads X-CLIP's video-conditioned zero-shot scorer (<c>logits_per_video</c>).</summary>
    /// <param name="model">The model folder or Hub id.</param>
    /// <returns>The scorer.</returns>
    IZeroShotScorer<VideoInput> LoadVideoZeroShotScorer(string model);

    /// <summary>Loads AltCLIP's zero-shot scorer (<c>logits_per_image</c>).</summary>
    /// <param name="model">The model folder or Hub id.</param>
    /// <returns>The scorer.</returns>
    IZeroShotScorer<ImageInput> LoadImageZeroShotScorer(string model);
}
