using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Models;

/// <summary>
/// A checkpoint with its tokenizer and processor, as the commands use it. Texts and zero-shot scores go through the
/// library's task embedders (<see cref="XClipEmbedder"/>, <see cref="AltClipEmbedder"/>) — the ones the ML.NET
/// transforms use — so <c>clip classify</c> and the ML.NET zero-shot classifier follow one rule (a video of several
/// clips: the mean of the clips' probabilities). Media embeddings decode here, so Ctrl+C stops a batch's decoding.
/// </summary>
internal sealed class CliModel : ICliModel
{
    private readonly VisionPreprocessor _preprocessor;
    private readonly Func<Tensor, Tensor> _mediaFeatures;
    private readonly ITextEmbedder _text;
    private readonly Func<IReadOnlyList<string>, IReadOnlyList<IReadOnlyList<string>>, float[][]> _scoreFiles;
    private readonly IDisposable[] _owned;

    private CliModel(
        ModelSource source,
        bool isVideoModel,
        int dimension,
        VisionPreprocessor preprocessor,
        Func<Tensor, Tensor> mediaFeatures,
        ITextEmbedder text,
        Func<IReadOnlyList<string>, IReadOnlyList<IReadOnlyList<string>>, float[][]> scoreFiles,
        params IDisposable[] owned)
    {
        Source = source;
        IsVideoModel = isVideoModel;
        Dimension = dimension;
        _preprocessor = preprocessor;
        _mediaFeatures = mediaFeatures;
        _text = text;
        _scoreFiles = scoreFiles;
        _owned = owned;
    }

    /// <inheritdoc />
    public ModelSource Source { get; }

    /// <inheritdoc />
    public string Name => Source.Identity;

    /// <inheritdoc />
    public bool IsVideoModel { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public int Frames => _preprocessor.NumFrames;

    /// <inheritdoc />
    public FrameSampling Sampling => _preprocessor.Sampling;

    /// <summary>Wraps a loaded X-CLIP model; the model and its open checkpoint are disposed with this object.</summary>
    /// <param name="source">The id or folder it came from.</param>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its CLIP tokenizer.</param>
    /// <param name="preprocessor">Its video processor: every file gives <c>[clips, frames, 3, H, W]</c>.</param>
    /// <param name="weights">The open checkpoint the model reads from.</param>
    public static CliModel ForXClip(ModelSource source, XClipModel model, TextTokenizer tokenizer, VisionPreprocessor preprocessor, IDisposable weights)
    {
        var embedder = new XClipEmbedder(model, tokenizer, preprocessor);
        return new(source, isVideoModel: true, model.Config.ProjectionDim, preprocessor, model.GetVideoFeatures, embedder,
            (paths, prompts) => embedder.ScoreLogits(paths.Select(VideoInput.FromFile).ToArray(), prompts), model, weights);
    }

    /// <summary>Wraps a loaded AltCLIP model; the model and its open checkpoint are disposed with this object.</summary>
    /// <param name="source">The id or folder it came from.</param>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its XLM-R tokenizer.</param>
    /// <param name="preprocessor">Its image processor: an image gives one item, a video its sampled frames.</param>
    /// <param name="weights">The open checkpoint the model reads from.</param>
    public static CliModel ForAltClip(ModelSource source, AltClipModel model, TextTokenizer tokenizer, VisionPreprocessor preprocessor, IDisposable weights)
    {
        var embedder = new AltClipEmbedder(model, tokenizer, preprocessor);
        return new(source, isVideoModel: false, model.Config.ProjectionDim, preprocessor, pixels => model.GetImageFeatures(pixels), embedder,
            (paths, prompts) => embedder.ScoreLogits(paths.Select(ImageInput.FromFile).ToArray(), prompts), model, weights);
    }

    /// <inheritdoc />
    public float[][] EmbedMedia(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        // Every file gives one or more items (clips or frames); all items of all files go through the model in one
        // batch, then each file's items are averaged.
        Tensor[] items = _preprocessor.ProcessEach(paths.Select(p => (IReadOnlyList<string>)[p]).ToArray(), cancellationToken); // concurrently
        float[][] rows = ModelInputs.Rows(_mediaFeatures(Tensor.Concat(items)));
        return ModelInputs.AverageGroups(rows, items.Select(c => c.Dim(0)).ToArray());
    }

    /// <inheritdoc />
    public float[][] EmbedTexts(IReadOnlyList<string> texts) => _text.EmbedTexts(texts);

    /// <inheritdoc />
    public float[] ZeroShotProbabilities(string path, IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        float[] logits = _scoreFiles([path], prompts.Select(p => (IReadOnlyList<string>)[p]).ToArray())[0];
        return EmbeddingMath.Softmax(logits); // the same softmax as the ML.NET classifier and ClassPrediction
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }
    }
}

/// <summary>Where a loaded model came from.</summary>
/// <param name="Identity">The Hub id as given, or the canonical absolute path of a local folder (what files record).</param>
/// <param name="Folder">The local folder holding its files (a Hub cache snapshot for an id).</param>
internal sealed record ModelSource(string Identity, string Folder);
