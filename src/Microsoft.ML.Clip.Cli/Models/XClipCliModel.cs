using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Models;

/// <summary>An X-CLIP checkpoint with its tokenizer and video processor, as the commands use it.</summary>
internal sealed class XClipCliModel : ICliModel
{
    private readonly XClipModel _model;
    private readonly TextTokenizer _tokenizer;
    private readonly VisionPreprocessor _preprocessor;
    private readonly IDisposable _weights;

    /// <summary>Wraps a loaded model.</summary>
    /// <param name="name">The id or folder it came from.</param>
    /// <param name="model">The model (disposed with this object).</param>
    /// <param name="tokenizer">Its CLIP tokenizer.</param>
    /// <param name="preprocessor">Its video processor.</param>
    /// <param name="weights">The open checkpoint the model reads from (disposed with this object).</param>
    public XClipCliModel(string name, XClipModel model, TextTokenizer tokenizer, VisionPreprocessor preprocessor, IDisposable weights)
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
    public bool IsVideoModel => true;

    /// <inheritdoc />
    public int Dimension => _model.Config.ProjectionDim;

    /// <inheritdoc />
    public float[][] EmbedMedia(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        // Every file gives [clips, frames, 3, H, W]; all clips of all files go through the model in one batch,
        // then each file's clips are averaged.
        var clips = paths.Select(p => _preprocessor.Process([p], cancellationToken)).ToList();
        float[][] rows = ModelInputs.Rows(_model.GetVideoFeatures(Tensor.Concat(clips)));
        return ModelInputs.AverageGroups(rows, clips.Select(c => c.Dim(0)).ToArray());
    }

    /// <inheritdoc />
    public float[][] EmbedTexts(IReadOnlyList<string> texts) =>
        ModelInputs.Rows(_model.GetTextFeatures(ModelInputs.Tokenize(_tokenizer, texts)));

    /// <inheritdoc />
    public float[] ZeroShotProbabilities(string path, IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        Tensor pixels = _preprocessor.Process([path], cancellationToken); // [clips, T, 3, H, W]
        Tensor logits = _model.Forward(ModelInputs.Tokenize(_tokenizer, prompts), pixels).LogitsPerVideo; // [clips, prompts]
        float[][] perClip = ModelInputs.Rows(logits).Select(l => ModelInputs.Softmax(l)).ToArray();
        return ModelInputs.AverageGroups(perClip, [perClip.Length])[0];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _model.Dispose();
        _weights.Dispose();
    }
}
