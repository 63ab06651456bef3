using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tasks;

/// <summary>
/// AltCLIP behind the task interfaces: multilingual text embeddings (<c>get_text_features</c>), image
/// embeddings (<c>get_image_features</c>) and zero-shot logits <c>exp(logit_scale) · cos(image, class)</c>
/// (equal to <c>logits_per_image</c> for one template; several templates are ensembled CLIP-style). Thread-safe.
/// </summary>
public sealed class AltClipEmbedder : ITextEmbedder, IImageEmbedder, IZeroShotScorer<ImageInput>, IDisposable
{
    private readonly bool _ownsModel;
    private readonly string _source;
    private readonly EmbeddingZeroShotScorer<float[]> _zeroShot;

    /// <summary>Wraps a loaded model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">The XLM-R tokenizer of the model.</param>
    /// <param name="preprocessor">Reads image files; <see langword="null"/>: only pixel inputs are accepted.</param>
    /// <param name="ownsModel">Whether <see cref="Dispose"/> disposes the model.</param>
    public AltClipEmbedder(AltClipModel model, ITextTokenizer tokenizer, VisionPreprocessor? preprocessor = null, bool ownsModel = false)
        : this(model, tokenizer, preprocessor, ownsModel, "the AltCLIP model")
    {
    }

    private AltClipEmbedder(AltClipModel model, ITextTokenizer tokenizer, VisionPreprocessor? preprocessor, bool ownsModel, string source)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        Preprocessor = preprocessor;
        _ownsModel = ownsModel;
        _source = source;
        // Scores views already embedded (one image, or one frame of a video): ScoreLogits combines a video's frames.
        _zeroShot = new EmbeddingZeroShotScorer<float[]>(views => views.ToArray(), this, MathF.Exp(model.LogitScale));
    }

    /// <summary>The model.</summary>
    public AltClipModel Model { get; }

    /// <summary>The tokenizer.</summary>
    public ITextTokenizer Tokenizer { get; }

    /// <summary>The image preprocessor, or <see langword="null"/> when the folder had no <c>preprocessor_config.json</c>.</summary>
    public VisionPreprocessor? Preprocessor { get; }

    /// <inheritdoc />
    public int Dimension => Model.Config.ProjectionDim;

    /// <inheritdoc />
    public int PixelValueCount
    {
        get
        {
            AltClipVisionConfig v = Model.Config.VisionConfig;
            return v.NumChannels * v.ImageSize * v.ImageSize;
        }
    }

    /// <summary>Loads the model, tokenizer and (if present) preprocessor of a model folder.</summary>
    /// <param name="folder">A folder with config.json, model.safetensors, tokenizer files and preprocessor_config.json.</param>
    /// <param name="options">How image files (and the frame taken from a video) are decoded: ffmpeg location, decoder
    /// settings, frame sampling; null for the defaults (one middle frame of a video).</param>
    /// <param name="modelOptions">The model's precision; null for float32.</param>
    /// <returns>The embedder (disposes the model when disposed).</returns>
    public static AltClipEmbedder FromPretrained(string folder, VisionPreprocessorOptions? options = null, ModelOptions? modelOptions = null)
    {
        AltClipModel model = AltClipModel.FromPretrained(folder, null, modelOptions);
        try
        {
            TextTokenizer tokenizer = TokenizerLoader.Load(folder);
            VisionPreprocessor? preprocessor = File.Exists(Path.Combine(folder, "preprocessor_config.json"))
                ? VisionPreprocessor.FromPretrained(folder, options)
                : null;
            return new AltClipEmbedder(model, tokenizer, preprocessor, true, $"the AltCLIP model '{folder}'");
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public float[][] EmbedTexts(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);

        // XLM-R positions start after the padding id, so two positions are unusable.
        int maxLength = Math.Min(Tokenizer.ModelMaxLength, Model.Config.TextConfig.MaxPositionEmbeddings - 2);
        Tensor features = Model.GetTextFeatures(ModelInputs.Tokenize(Tokenizer, texts, maxLength)); // [texts, D]
        return ModelInputs.RowsAveraged(features, Enumerable.Repeat(1, texts.Count).ToArray());
    }

    /// <inheritdoc />
    public float[][] EmbedImages(IReadOnlyList<ImageInput> images) => EmbedImages(images, CancellationToken.None);

    /// <inheritdoc />
    public float[][] EmbedImages(IReadOnlyList<ImageInput> images, CancellationToken cancellationToken)
    {
        // A video file gives several frames: its embedding is their mean.
        (Tensor features, int[] views) = ViewFeatures(images, cancellationToken);
        return ModelInputs.RowsAveraged(features, views);
    }

    /// <summary>
    /// The logits of each image against each class (the scaled cosine with the class's prompt-ensembled text
    /// embedding). A video file's frames are scored one by one and combined by the multi-view rule of X-CLIP's paper
    /// code: the mean of the frames' softmax probabilities, returned as their log.
    /// </summary>
    /// <param name="inputs">The images (or video files).</param>
    /// <param name="classPrompts">The prompts of each class.</param>
    /// <returns><c>[inputs][classes]</c> logits.</returns>
    public float[][] ScoreLogits(IReadOnlyList<ImageInput> inputs, IReadOnlyList<IReadOnlyList<string>> classPrompts) =>
        ScoreLogits(inputs, classPrompts, CancellationToken.None);

    /// <inheritdoc cref="ScoreLogits(IReadOnlyList{ImageInput}, IReadOnlyList{IReadOnlyList{string}})"/>
    /// <param name="inputs">The images (or video files).</param>
    /// <param name="classPrompts">The prompts of each class.</param>
    /// <param name="cancellationToken">Cancels the call (files ffmpeg decodes have their processes killed).</param>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public float[][] ScoreLogits(IReadOnlyList<ImageInput> inputs, IReadOnlyList<IReadOnlyList<string>> classPrompts, CancellationToken cancellationToken)
    {
        (Tensor features, int[] views) = ViewFeatures(inputs, cancellationToken);
        float[][] perView = ModelInputs.RowsAveraged(features, Enumerable.Repeat(1, features.Dim(0)).ToArray());
        return MultiViewScores.Combine(_zeroShot.ScoreLogits(perView, classPrompts), views);
    }

    /// <summary>The image features of every view (<c>[views, D]</c>) and how many views each input gave.</summary>
    private (Tensor Features, int[] Views) ViewFeatures(IReadOnlyList<ImageInput> images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            throw new ArgumentException("At least one image is needed.", nameof(images));
        }

        AltClipVisionConfig v = Model.Config.VisionConfig;
        var parts = new Tensor[images.Count];
        var files = new List<(int Index, IReadOnlyList<string> Paths)>();
        var decoded = new List<(int Index, IReadOnlyList<RgbImage> Images)>();
        for (int i = 0; i < images.Count; i++)
        {
            if (images[i].Image is RgbImage image)
            {
                decoded.Add((i, [image]));
            }
            else if (images[i].Pixels is float[] pixels)
            {
                if (pixels.Length != PixelValueCount)
                {
                    throw new ArgumentException(
                        $"Image {i} has {pixels.Length} pixel values; {_source} takes [{v.NumChannels}, {v.ImageSize}, {v.ImageSize}] = {PixelValueCount}.");
                }

                parts[i] = new Tensor(pixels, 1, v.NumChannels, v.ImageSize, v.ImageSize);
            }
            else
            {
                files.Add((i, [images[i].Path!]));
            }
        }

        ModelInputs.ProcessFiles(Preprocessor, files, parts,
            $"{_source} has no preprocessor_config.json, so image files cannot be read; add the file to the model folder or pass preprocessed pixels.",
            cancellationToken);
        ModelInputs.ProcessImages(Preprocessor, decoded, parts,
            $"{_source} has no preprocessor_config.json, so decoded images cannot be preprocessed; add the file to the model folder or pass preprocessed pixels.");

        cancellationToken.ThrowIfCancellationRequested();
        Tensor features = Model.GetImageFeatures(ModelInputs.Concat(parts, "AltCLIP images")); // [views, D]
        return (features, parts.Select(p => p.Dim(0)).ToArray());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsModel)
        {
            Model.Dispose();
        }
    }
}
