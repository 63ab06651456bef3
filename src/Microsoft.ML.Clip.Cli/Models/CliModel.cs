using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Models;

/// <summary>
/// A checkpoint with its tokenizer and processor, as the commands use it. X-CLIP and AltCLIP differ only in the three
/// model calls (media features, text features, media×text logits); the batching and averaging are the same.
/// </summary>
internal sealed class CliModel : ICliModel
{
    private readonly TextTokenizer _tokenizer;
    private readonly VisionPreprocessor _preprocessor;
    private readonly Func<Tensor, Tensor> _mediaFeatures;
    private readonly Func<TokenBatch, Tensor> _textFeatures;
    private readonly Func<TokenBatch, Tensor, Tensor> _logits;
    private readonly IDisposable[] _owned;

    private CliModel(
        string name,
        bool isVideoModel,
        int dimension,
        TextTokenizer tokenizer,
        VisionPreprocessor preprocessor,
        Func<Tensor, Tensor> mediaFeatures,
        Func<TokenBatch, Tensor> textFeatures,
        Func<TokenBatch, Tensor, Tensor> logits,
        params IDisposable[] owned)
    {
        Name = name;
        IsVideoModel = isVideoModel;
        Dimension = dimension;
        _tokenizer = tokenizer;
        _preprocessor = preprocessor;
        _mediaFeatures = mediaFeatures;
        _textFeatures = textFeatures;
        _logits = logits;
        _owned = owned;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool IsVideoModel { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>Wraps a loaded X-CLIP model; the model and its open checkpoint are disposed with this object.</summary>
    /// <param name="name">The id or folder it came from.</param>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its CLIP tokenizer.</param>
    /// <param name="preprocessor">Its video processor: every file gives <c>[clips, frames, 3, H, W]</c>.</param>
    /// <param name="weights">The open checkpoint the model reads from.</param>
    public static CliModel ForXClip(string name, XClipModel model, TextTokenizer tokenizer, VisionPreprocessor preprocessor, IDisposable weights) =>
        new(name, isVideoModel: true, model.Config.ProjectionDim, tokenizer, preprocessor,
            model.GetVideoFeatures, model.GetTextFeatures, (tokens, pixels) => model.Forward(tokens, pixels).LogitsPerVideo, model, weights);

    /// <summary>Wraps a loaded AltCLIP model; the model and its open checkpoint are disposed with this object.</summary>
    /// <param name="name">The id or folder it came from.</param>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its XLM-R tokenizer.</param>
    /// <param name="preprocessor">Its image processor: an image gives one item, a video its sampled frames.</param>
    /// <param name="weights">The open checkpoint the model reads from.</param>
    public static CliModel ForAltClip(string name, AltClipModel model, TextTokenizer tokenizer, VisionPreprocessor preprocessor, IDisposable weights) =>
        new(name, isVideoModel: false, model.Config.ProjectionDim, tokenizer, preprocessor,
            pixels => model.GetImageFeatures(pixels), model.GetTextFeatures, (tokens, pixels) => model.Forward(tokens, pixels).LogitsPerImage, model, weights);

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
    public float[][] EmbedTexts(IReadOnlyList<string> texts) =>
        ModelInputs.Rows(_textFeatures(ModelInputs.Tokenize(_tokenizer, texts)));

    /// <inheritdoc />
    public float[] ZeroShotProbabilities(string path, IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        Tensor pixels = _preprocessor.Process([path], cancellationToken);
        Tensor logits = _logits(ModelInputs.Tokenize(_tokenizer, prompts), pixels); // [items, prompts]
        float[][] perItem = ModelInputs.Rows(logits).Select(l => ModelInputs.Softmax(l)).ToArray();
        return ModelInputs.AverageGroups(perItem, [perItem.Length])[0]; // softmax per clip/frame, then the mean
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
