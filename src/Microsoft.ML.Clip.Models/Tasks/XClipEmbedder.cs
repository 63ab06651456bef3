using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Tasks;

/// <summary>
/// X-CLIP behind the task interfaces: text embeddings (<c>get_text_features</c>), video embeddings
/// (<c>get_video_features</c>) and zero-shot logits from the full video-conditioned forward
/// (<c>logits_per_video</c>). Videos are given as files (decoded and sampled by the model's
/// preprocessor), as frame image files, or as preprocessed pixels. Thread-safe.
/// </summary>
public sealed class XClipEmbedder : ITextEmbedder, IVideoEmbedder, IZeroShotScorer<VideoInput>, IDisposable
{
    private readonly bool _ownsModel;
    private readonly string _source;

    /// <summary>Wraps a loaded model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">The CLIP tokenizer of the model.</param>
    /// <param name="preprocessor">Reads video/frame files; <see langword="null"/>: only pixel inputs are accepted.</param>
    /// <param name="ownsModel">Whether <see cref="Dispose"/> disposes the model.</param>
    public XClipEmbedder(XClipModel model, ITextTokenizer tokenizer, VisionPreprocessor? preprocessor = null, bool ownsModel = false)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        Preprocessor = preprocessor;
        _ownsModel = ownsModel;
        _source = "the X-CLIP model";
    }

    private XClipEmbedder(XClipModel model, ITextTokenizer tokenizer, VisionPreprocessor? preprocessor, string folder)
        : this(model, tokenizer, preprocessor, ownsModel: true)
    {
        _source = $"the X-CLIP model '{folder}'";
    }

    /// <summary>The model.</summary>
    public XClipModel Model { get; }

    /// <summary>The tokenizer.</summary>
    public ITextTokenizer Tokenizer { get; }

    /// <summary>The video preprocessor, or <see langword="null"/> when the folder had no <c>preprocessor_config.json</c>.</summary>
    public VisionPreprocessor? Preprocessor { get; }

    /// <inheritdoc />
    public int Dimension => Model.Config.ProjectionDim;

    /// <inheritdoc />
    public int PixelValueCount
    {
        get
        {
            XClipVisionConfig v = Model.Config.VisionConfig;
            return v.NumFrames * v.NumChannels * v.ImageSize * v.ImageSize;
        }
    }

    /// <summary>Loads the model, tokenizer and (if present) preprocessor of a model folder.</summary>
    /// <param name="folder">A folder with config.json, model.safetensors, tokenizer files and preprocessor_config.json.</param>
    /// <param name="options">Frame sampling and ffmpeg location for video files.</param>
    /// <param name="modelOptions">The model's precision; null for float32.</param>
    /// <returns>The embedder (disposes the model when disposed).</returns>
    public static XClipEmbedder FromPretrained(string folder, VisionPreprocessorOptions? options = null, ModelOptions? modelOptions = null)
    {
        XClipModel model = XClipModel.FromPretrained(folder, null, modelOptions);
        try
        {
            TextTokenizer tokenizer = TokenizerLoader.Load(folder);
            VisionPreprocessor? preprocessor = File.Exists(Path.Combine(folder, "preprocessor_config.json"))
                ? VisionPreprocessor.FromPretrained(folder, options)
                : null;
            return new XClipEmbedder(model, tokenizer, preprocessor, folder);
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
        Tensor features = Model.GetTextFeatures(Tokenize(texts)); // [texts, D]
        return ModelInputs.RowsAveraged(features, Enumerable.Repeat(1, texts.Count).ToArray());
    }

    /// <inheritdoc />
    public float[][] EmbedVideos(IReadOnlyList<VideoInput> videos) => EmbedVideos(videos, CancellationToken.None);

    /// <inheritdoc />
    public float[][] EmbedVideos(IReadOnlyList<VideoInput> videos, CancellationToken cancellationToken)
    {
        (Tensor pixels, int[] clips) = Pixels(videos, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return ModelInputs.RowsAveraged(Model.GetVideoFeatures(pixels), clips); // [clips, D] → mean over each video's clips
    }

    /// <summary>
    /// <c>logits_per_video</c> of the full forward for every prompt; a class's logit is the mean over its prompts.
    /// The text embeddings are conditioned on each video, so prompts cannot be averaged before the forward as for
    /// CLIP. A video of several clips (<c>FrameSampling.Clips</c>) is scored clip by clip and combined by the
    /// multi-view rule of X-CLIP's paper code: the mean of the clips' softmax probabilities, returned as their log
    /// (so a softmax of the result gives those mean probabilities).
    /// </summary>
    /// <param name="inputs">The videos.</param>
    /// <param name="classPrompts">The prompts of each class.</param>
    /// <returns><c>[videos][classes]</c> logits.</returns>
    public float[][] ScoreLogits(IReadOnlyList<VideoInput> inputs, IReadOnlyList<IReadOnlyList<string>> classPrompts) =>
        ScoreLogits(inputs, classPrompts, CancellationToken.None);

    /// <inheritdoc cref="ScoreLogits(IReadOnlyList{VideoInput}, IReadOnlyList{IReadOnlyList{string}})"/>
    /// <param name="inputs">The videos.</param>
    /// <param name="classPrompts">The prompts of each class.</param>
    /// <param name="cancellationToken">Cancels the call (decoding is the long part: its ffmpeg processes are killed).</param>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public float[][] ScoreLogits(IReadOnlyList<VideoInput> inputs, IReadOnlyList<IReadOnlyList<string>> classPrompts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(classPrompts);
        (Tensor pixels, int[] clips) = Pixels(inputs, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        string[] prompts = classPrompts.SelectMany(p => p).ToArray();
        Tensor logits = Model.LogitsPerVideo(Tokenize(prompts), pixels);           // [clips, prompts], as Forward's
        float[][] perClip = ModelInputs.RowsAveraged(logits, Enumerable.Repeat(1, logits.Dim(0)).ToArray());
        float[][] classLogits = perClip.Select(row =>                              // [clips][classes]
        {
            var result = new float[classPrompts.Count];
            for (int c = 0, p = 0; c < classPrompts.Count; c++)
            {
                float sum = 0;
                for (int k = 0; k < classPrompts[c].Count; k++)
                {
                    sum += row[p++];
                }

                result[c] = sum / classPrompts[c].Count;
            }

            return result;
        }).ToArray();
        return MultiViewScores.Combine(classLogits, clips);                        // [videos][classes]
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsModel)
        {
            Model.Dispose();
        }
    }

    private TokenBatch Tokenize(IReadOnlyList<string> texts) =>
        ModelInputs.Tokenize(Tokenizer, texts, Math.Min(Tokenizer.ModelMaxLength, Model.Config.TextConfig.MaxPositionEmbeddings));

    /// <summary>Stacks the inputs into <c>[clips, frames, 3, H, W]</c>; <c>clips[i]</c> is how many clips input i gave.</summary>
    private (Tensor Pixels, int[] Clips) Pixels(IReadOnlyList<VideoInput> videos, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(videos);
        if (videos.Count == 0)
        {
            throw new ArgumentException("At least one video is needed.", nameof(videos));
        }

        XClipVisionConfig v = Model.Config.VisionConfig;
        var parts = new Tensor[videos.Count];
        var files = new List<(int Index, IReadOnlyList<string> Paths)>();
        var decoded = new List<(int Index, IReadOnlyList<RgbImage> Images)>();
        for (int i = 0; i < videos.Count; i++)
        {
            VideoInput video = videos[i];
            if (video.FrameImages is IReadOnlyList<RgbImage> frames)
            {
                decoded.Add((i, frames));
            }
            else if (video.Pixels is float[] pixels)
            {
                if (pixels.Length != PixelValueCount)
                {
                    throw new ArgumentException(
                        $"Video {i} has {pixels.Length} pixel values; {_source} takes [{v.NumFrames}, {v.NumChannels}, {v.ImageSize}, {v.ImageSize}] = {PixelValueCount}.");
                }

                parts[i] = new Tensor(pixels, 1, v.NumFrames, v.NumChannels, v.ImageSize, v.ImageSize);
            }
            else
            {
                files.Add((i, video.Path is not null ? [video.Path] : video.FramePaths!));
            }
        }

        ModelInputs.ProcessFiles(Preprocessor, files, parts,
            $"{_source} has no preprocessor_config.json, so video and frame files cannot be read; add the file to the model folder or pass preprocessed pixels.",
            cancellationToken);
        ModelInputs.ProcessImages(Preprocessor, decoded, parts,
            $"{_source} has no preprocessor_config.json, so decoded frames cannot be preprocessed; add the file to the model folder or pass preprocessed pixels.");

        int[] clips = parts.Select(p => p.Dim(0)).ToArray();
        return (ModelInputs.Concat(parts, "X-CLIP videos"), clips);
    }
}
