using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Cli.Models;

/// <summary>An AltCLIP checkpoint with its tokenizer and image processor, as the commands use it.</summary>
internal sealed class AltClipCliModel : ICliModel
{
    private readonly AltClipModel _model;
    private readonly TextTokenizer _tokenizer;
    private readonly VisionPreprocessor _preprocessor;
    private readonly IDisposable _weights;

    /// <summary>Wraps a loaded model.</summary>
    /// <param name="name">The id or folder it came from.</param>
    /// <param name="model">The model (disposed with this object).</param>
    /// <param name="tokenizer">Its XLM-R tokenizer.</param>
    /// <param name="preprocessor">Its image processor.</param>
    /// <param name="weights">The open checkpoint the model reads from (disposed with this object).</param>
    public AltClipCliModel(string name, AltClipModel model, TextTokenizer tokenizer, VisionPreprocessor preprocessor, IDisposable weights)
    {
        _weights = weights;
        Name = name;
        _model = model;
        _tokenizer = tokenizer;
        _preprocessor = preprocessor;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool IsVideoModel => false;

    /// <inheritdoc />
    public int Dimension => _model.Config.ProjectionDim;

    /// <inheritdoc />
    public float[][] EmbedMedia(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        // An image gives one item; a video gives its sampled frames (by default the middle one), averaged.
        var items = paths.Select(p => _preprocessor.Process([p], cancellationToken)).ToList();
        float[][] rows = ModelInputs.Rows(_model.GetImageFeatures(Tensor.Concat(items)));
        return ModelInputs.AverageGroups(rows, items.Select(c => c.Dim(0)).ToArray());
    }

    /// <inheritdoc />
    public float[][] EmbedTexts(IReadOnlyList<string> texts) =>
        ModelInputs.Rows(_model.GetTextFeatures(ModelInputs.Tokenize(_tokenizer, texts)));

    /// <inheritdoc />
    public float[] ZeroShotProbabilities(string path, IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        Tensor pixels = _preprocessor.Process([path], cancellationToken); // [items, 3, H, W]
        Tensor logits = _model.Forward(ModelInputs.Tokenize(_tokenizer, prompts), pixels).LogitsPerImage; // [items, prompts]
        float[][] perItem = ModelInputs.Rows(logits).Select(l => ModelInputs.Softmax(l)).ToArray();
        return ModelInputs.AverageGroups(perItem, [perItem.Length])[0];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _model.Dispose();
        _weights.Dispose();
    }
}
