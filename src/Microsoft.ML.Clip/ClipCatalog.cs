using Microsoft.ML.Transforms;

namespace Microsoft.ML;

/// <summary>
/// <c>mlContext.Transforms</c> extensions for X-CLIP (video–text) and AltCLIP (multilingual image–text):
/// embeddings for downstream trainers, and zero-shot classification.
/// </summary>
public static class ClipCatalog
{
    /// <summary>Adds the X-CLIP video embedding (<c>get_video_features</c>) of each row's video.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The embedding column (known-size vector of Single).</param>
    /// <param name="modelPath">A local X-CLIP model folder or a Hugging Face id such as <c>microsoft/xclip-base-patch32</c>.</param>
    /// <param name="inputColumnName">A String column of video paths, a Vector&lt;String&gt; of frame image paths, or a known-size Vector&lt;Single&gt; of preprocessed <c>[frames, 3, H, W]</c> pixels; <see langword="null"/>: <paramref name="outputColumnName"/>.</param>
    /// <param name="batchSize">Rows per model call.</param>
    /// <param name="skipBadRows">Emit NaN for unreadable videos instead of failing.</param>
    /// <returns>The estimator.</returns>
    public static XClipVideoFeaturizerEstimator XClipVideoEmbedding(this TransformsCatalog catalog, string outputColumnName, string modelPath, string? inputColumnName = null, int batchSize = 8, bool skipBadRows = false) =>
        XClipVideoEmbedding(catalog, Fill(new XClipVideoFeaturizerEstimator.Options(), outputColumnName, modelPath, inputColumnName, batchSize, skipBadRows));

    /// <summary>Adds the X-CLIP video embedding, configured by <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static XClipVideoFeaturizerEstimator XClipVideoEmbedding(this TransformsCatalog catalog, XClipVideoFeaturizerEstimator.Options options) =>
        new(catalog, options);

    /// <summary>Adds the X-CLIP text embedding (<c>get_text_features</c>) of each row's text.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The embedding column.</param>
    /// <param name="modelPath">A local X-CLIP model folder or a Hugging Face id.</param>
    /// <param name="inputColumnName">A String column; <see langword="null"/>: <paramref name="outputColumnName"/>.</param>
    /// <param name="batchSize">Rows per model call.</param>
    /// <returns>The estimator.</returns>
    public static XClipTextFeaturizerEstimator XClipTextEmbedding(this TransformsCatalog catalog, string outputColumnName, string modelPath, string? inputColumnName = null, int batchSize = 8) =>
        XClipTextEmbedding(catalog, Fill(new XClipTextFeaturizerEstimator.Options(), outputColumnName, modelPath, inputColumnName, batchSize, false));

    /// <summary>Adds the X-CLIP text embedding, configured by <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static XClipTextFeaturizerEstimator XClipTextEmbedding(this TransformsCatalog catalog, XClipTextFeaturizerEstimator.Options options) =>
        new(catalog, options);

    /// <summary>Adds the AltCLIP text embedding of each row's text (any of AltCLIP's languages).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The embedding column.</param>
    /// <param name="modelPath">A local AltCLIP model folder or a Hugging Face id such as <c>BAAI/AltCLIP</c>.</param>
    /// <param name="inputColumnName">A String column; <see langword="null"/>: <paramref name="outputColumnName"/>.</param>
    /// <param name="batchSize">Rows per model call.</param>
    /// <returns>The estimator.</returns>
    public static AltClipTextFeaturizerEstimator AltClipTextEmbedding(this TransformsCatalog catalog, string outputColumnName, string modelPath, string? inputColumnName = null, int batchSize = 8) =>
        AltClipTextEmbedding(catalog, Fill(new AltClipTextFeaturizerEstimator.Options(), outputColumnName, modelPath, inputColumnName, batchSize, false));

    /// <summary>Adds the AltCLIP text embedding, configured by <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static AltClipTextFeaturizerEstimator AltClipTextEmbedding(this TransformsCatalog catalog, AltClipTextFeaturizerEstimator.Options options) =>
        new(catalog, options);

    /// <summary>Adds the AltCLIP image embedding (<c>get_image_features</c>) of each row's image.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The embedding column.</param>
    /// <param name="modelPath">A local AltCLIP model folder or a Hugging Face id.</param>
    /// <param name="inputColumnName">A String column of image paths or a known-size Vector&lt;Single&gt; of preprocessed <c>[3, H, W]</c> pixels; <see langword="null"/>: <paramref name="outputColumnName"/>.</param>
    /// <param name="batchSize">Rows per model call.</param>
    /// <param name="skipBadRows">Emit NaN for unreadable images instead of failing.</param>
    /// <returns>The estimator.</returns>
    public static AltClipImageFeaturizerEstimator AltClipImageEmbedding(this TransformsCatalog catalog, string outputColumnName, string modelPath, string? inputColumnName = null, int batchSize = 8, bool skipBadRows = false) =>
        AltClipImageEmbedding(catalog, Fill(new AltClipImageFeaturizerEstimator.Options(), outputColumnName, modelPath, inputColumnName, batchSize, skipBadRows));

    /// <summary>Adds the AltCLIP image embedding, configured by <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static AltClipImageFeaturizerEstimator AltClipImageEmbedding(this TransformsCatalog catalog, AltClipImageFeaturizerEstimator.Options options) =>
        new(catalog, options);

    /// <summary>Zero-shot video classification with X-CLIP: adds <c>Score</c> and <c>PredictedLabel</c>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="modelPath">A local X-CLIP model folder or a Hugging Face id.</param>
    /// <param name="labels">The class labels.</param>
    /// <param name="inputColumnName">The video column (path, frame paths or pixels).</param>
    /// <param name="templates">Prompt templates with <c>{}</c> for the label; <see langword="null"/>: <c>"a video of {}"</c>.</param>
    /// <param name="batchSize">Rows per model call.</param>
    /// <param name="skipBadRows">Emit NaN scores (and a missing key) for unreadable videos instead of failing.</param>
    /// <returns>The estimator.</returns>
    public static ZeroShotClassifierEstimator XClipZeroShotClassification(this TransformsCatalog catalog, string modelPath, IEnumerable<string> labels, string inputColumnName = "Video", IEnumerable<string>? templates = null, int batchSize = 8, bool skipBadRows = false) =>
        ZeroShotClassification(catalog, ZeroShotOptions(ClipModelFamily.XClip, modelPath, labels, inputColumnName, templates, batchSize, skipBadRows));

    /// <summary>Zero-shot image classification with AltCLIP: adds <c>Score</c> and <c>PredictedLabel</c>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="modelPath">A local AltCLIP model folder or a Hugging Face id.</param>
    /// <param name="labels">The class labels (any of AltCLIP's languages).</param>
    /// <param name="inputColumnName">The image column (path or pixels).</param>
    /// <param name="templates">Prompt templates with <c>{}</c> for the label; <see langword="null"/>: <c>"a photo of {}"</c>.</param>
    /// <param name="batchSize">Rows per model call.</param>
    /// <param name="skipBadRows">Emit NaN scores (and a missing key) for unreadable images instead of failing.</param>
    /// <returns>The estimator.</returns>
    public static ZeroShotClassifierEstimator AltClipZeroShotClassification(this TransformsCatalog catalog, string modelPath, IEnumerable<string> labels, string inputColumnName = "Image", IEnumerable<string>? templates = null, int batchSize = 8, bool skipBadRows = false) =>
        ZeroShotClassification(catalog, ZeroShotOptions(ClipModelFamily.AltClip, modelPath, labels, inputColumnName, templates, batchSize, skipBadRows));

    /// <summary>Zero-shot classification configured by <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static ZeroShotClassifierEstimator ZeroShotClassification(this TransformsCatalog catalog, ZeroShotClassifierEstimator.Options options) =>
        new(catalog, options);

    private static TOptions Fill<TOptions>(TOptions options, string outputColumnName, string modelPath, string? inputColumnName, int batchSize, bool skipBadRows)
        where TOptions : ClipEmbeddingOptions
    {
        options.OutputColumnName = outputColumnName;
        options.ModelPath = modelPath;
        options.InputColumnName = inputColumnName;
        options.BatchSize = batchSize;
        options.SkipBadRows = skipBadRows;
        return options;
    }

    private static ZeroShotClassifierEstimator.Options ZeroShotOptions(ClipModelFamily family, string modelPath, IEnumerable<string> labels, string inputColumnName, IEnumerable<string>? templates, int batchSize, bool skipBadRows) => new()
    {
        Family = family,
        ModelPath = modelPath,
        Labels = (labels ?? throw new ArgumentNullException(nameof(labels))).ToArray(),
        InputColumnName = inputColumnName,
        Templates = templates?.ToArray(),
        BatchSize = batchSize,
        SkipBadRows = skipBadRows,
    };
}
