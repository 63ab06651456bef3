using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.XClip;

/// <summary>
/// X-CLIP (<c>XCLIPModel</c>): video–text similarity from a CLIP text tower, a cross-frame vision tower, the Multi-frame
/// Integration Transformer and a video-specific prompt generator. Numerically equal to <c>transformers</c> 4.37.2.
/// </summary>
/// <remarks>
/// A loaded model is immutable: any number of threads may call it at once; the weights are shared, never copied.
/// Dispose it to release the checkpoint file it maps.
/// </remarks>
public sealed class XClipModel : IDisposable
{
    private readonly IDisposable? _owned;
    private readonly Linear _visualProjection;
    private readonly Linear _textProjection;
    private readonly LayerNorm _promptsVisualLayerNorm;
    private readonly Linear _promptsVisualProjection;
    private readonly XClipMultiframeIntegrationTransformer _mit;
    private readonly XClipPromptGenerator _promptsGenerator;

    private XClipModel(XClipConfig config, IWeightSource source, ModelOptions? options, IDisposable? owned)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        options ??= ModelOptions.Default;
        options.Validate();
        Config = config;
        Options = options;
        var counted = new CountingWeightSource(source);
        var weights = new WeightScope(counted, options.Precision);
        XClipVisionConfig vision = config.VisionConfig;
        int d = config.ProjectionDim;

        TextModel = new XClipTextModel(weights, config.TextConfig);
        VisionModel = new XClipVisionModel(weights, vision);
        _visualProjection = weights["visual_projection"].Linear(vision.HiddenSize, d, false, ComputePrecision.Float32);
        _textProjection = weights["text_projection"].Linear(config.TextConfig.HiddenSize, d, false, ComputePrecision.Float32);
        LogitScale = weights.Tensor("logit_scale", WeightRole.LogitScale).Span[0];
        _promptsVisualLayerNorm = weights["prompts_visual_layernorm"].LayerNorm(vision.HiddenSize, vision.LayerNormEps);

        // A raw [D_v, D] parameter used untransposed (x·P): as a layer of weight Pᵀ [D, D_v] it is packed once, not per
        // call, and each output is the same FMA chain over D_v as before (float32, as the other projections).
        _promptsVisualProjection = new Linear(TensorOps.Transpose(weights.Tensor("prompts_visual_projection", WeightRole.Matrix, vision.HiddenSize, d)), null);
        _mit = new XClipMultiframeIntegrationTransformer(weights["mit"], vision);
        _promptsGenerator = new XClipPromptGenerator(weights["prompts_generator"], config);
        ParameterCount = counted.Total;
        _owned = owned;
    }

    /// <summary>The configuration.</summary>
    public XClipConfig Config { get; }

    /// <summary>How the model was built (its <see cref="ModelOptions.Precision"/>).</summary>
    public ModelOptions Options { get; }

    /// <summary>The text tower (<c>text_model</c>).</summary>
    public XClipTextModel TextModel { get; }

    /// <summary>The per-frame vision tower (<c>vision_model</c>).</summary>
    public XClipVisionModel VisionModel { get; }

    /// <summary>The number of parameters (float32 values) in the weights.</summary>
    public long ParameterCount { get; }

    /// <summary>The learned <c>logit_scale</c> (a log: logits are multiplied by <c>exp(LogitScale)</c>).</summary>
    public float LogitScale { get; }

    /// <summary>
    /// Loads a checkpoint: a local folder holding <c>config.json</c> and weights (<c>model.safetensors</c>, sharded
    /// safetensors or <c>pytorch_model.bin</c>), or a Hugging Face Hub id such as <c>microsoft/xclip-base-patch32</c> or
    /// <c>org/name@revision</c>, resolved through (and downloaded into) the cache shared with Python's <c>huggingface_hub</c>.
    /// </summary>
    /// <param name="pathOrId">A folder (or its <c>config.json</c>), or a Hub id.</param>
    /// <param name="hubOptions">Cache folder, token, offline mode; null reads the <c>HF_*</c> environment variables.</param>
    /// <param name="options">The precision; null for <see cref="ModelOptions.Default"/> (float32).</param>
    /// <exception cref="InvalidDataException">The config is not this model's, or the weights do not match it (missing, unexpected or mis-shaped tensors).</exception>
    /// <exception cref="FileNotFoundException">The folder or the Hub repository lacks config.json or weights.</exception>
    public static XClipModel FromPretrained(string pathOrId, Hub.HubOptions? hubOptions = null, ModelOptions? options = null)
    {
        string folder = PretrainedFiles.ResolveFolder(pathOrId, hubOptions);
        XClipConfig config = XClipConfig.FromFile(PretrainedFiles.ConfigPath(folder));
        ITensorStore store = PretrainedFiles.OpenWeights(folder);
        try
        {
            return Load(config, store, options, owned: store);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Builds the model from a config and an open checkpoint (which must stay open while the model is used; the caller disposes it).</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="store">The weights, named as in <c>transformers</c>' state dict.</param>
    /// <exception cref="InvalidDataException">A weight is missing or mis-shaped, or the store holds weights X-CLIP does not use.</exception>
    public static XClipModel FromWeights(XClipConfig config, ITensorStore store) => Load(config, store, null, owned: null);

    /// <summary>As <see cref="FromWeights(XClipConfig, ITensorStore)"/>, in a given precision.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="store">The weights, named as in <c>transformers</c>' state dict.</param>
    /// <param name="options">The precision; null for <see cref="ModelOptions.Default"/> (float32).</param>
    /// <exception cref="InvalidDataException">A weight is missing or mis-shaped, or the store holds weights the model does not use.</exception>
    public static XClipModel FromWeights(XClipConfig config, ITensorStore store, ModelOptions? options) => Load(config, store, options, owned: null);

    /// <summary>Builds a model with random weights (for benchmarks and tests; its outputs mean nothing).</summary>
    /// <param name="config">The configuration, e.g. <c>new XClipConfig()</c> for the base-patch32 shape.</param>
    /// <param name="seed">The seed; equal seeds give equal weights.</param>
    /// <param name="options">The precision; null for <see cref="ModelOptions.Default"/> (float32).</param>
    public static XClipModel CreateRandom(XClipConfig config, int seed = 0, ModelOptions? options = null) => new(config, new RandomWeights(seed), options, null);

    /// <summary>Builds a model from any weight source (a checkpoint adapter, random weights, a recorder wrapping another source).</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="weights">The weights by <c>transformers</c> state-dict name.</param>
    public static XClipModel FromWeightSource(XClipConfig config, IWeightSource weights) => new(config, weights, null, null);

    /// <summary>As <see cref="FromWeightSource(XClipConfig, IWeightSource)"/>, in a given precision.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="weights">The weights by <c>transformers</c> state-dict name.</param>
    /// <param name="options">The precision; null for <see cref="ModelOptions.Default"/> (float32).</param>
    public static XClipModel FromWeightSource(XClipConfig config, IWeightSource weights, ModelOptions? options) => new(config, weights, options, null);

    /// <summary>
    /// Text features (<c>get_text_features</c>): <c>text_projection</c> of the pooled text state, <c>[texts, projection_dim]</c>,
    /// not normalised and not conditioned on any video.
    /// </summary>
    /// <param name="tokens">Ids and attention mask, <c>[texts, length]</c>.</param>
    public Tensor GetTextFeatures(TokenBatch tokens) => _textProjection.Forward(TextModel.ForwardPooled(tokens));

    /// <summary>
    /// Video features (<c>get_video_features</c>): the MIT pooled output of the projected per-frame class tokens,
    /// <c>[videos, projection_dim]</c>, not normalised.
    /// </summary>
    /// <param name="pixelValues"><c>[videos, num_frames, channels, height, width]</c>.</param>
    public Tensor GetVideoFeatures(Tensor pixelValues)
    {
        int videos = CheckVideoRank(pixelValues);
        return Integrate(VisionModel.ForwardPooled(pixelValues), videos, ForwardOptions.Default, null).PoolerOutput;
    }

    /// <summary>
    /// The full model (<c>forward</c>): video embeddings, video-conditioned text embeddings and their logits.
    /// </summary>
    /// <param name="tokens">Ids and attention mask, <c>[texts, length]</c>.</param>
    /// <param name="pixelValues"><c>[videos, num_frames, channels, height, width]</c>.</param>
    /// <param name="options">Hidden states, attentions, position interpolation, loss; null for none.</param>
    /// <exception cref="ArgumentException">An input has the wrong shape (e.g. frames per video ≠ <c>num_frames</c>), a sequence is too long, or the loss is asked for non-square logits.</exception>
    public XClipOutput Forward(TokenBatch tokens, Tensor pixelValues, ForwardOptions? options = null) =>
        Forward(tokens, pixelValues, options ?? ForwardOptions.Default, null);

    /// <inheritdoc />
    public void Dispose() => _owned?.Dispose();

    internal XClipOutput Forward(TokenBatch tokens, Tensor pixelValues, ForwardOptions options, ForwardTrace? trace)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var (vision, mit, videos) = EncodeVideo(pixelValues, options, trace);
        EncoderOutput text = TextModel.Forward(tokens, options);
        Tensor textFeatures = _textProjection.Forward(text.PoolerOutput); // [N, D]
        trace?.Record("text_projection", textFeatures);
        var (textEmbeds, videoEmbeds, logitsPerVideo) = Score(textFeatures, vision, mit, videos, trace);
        Tensor logitsPerText = TensorOps.Transpose(logitsPerVideo);
        float? loss = options.ReturnLoss ? ContrastiveLoss.Compute(logitsPerText) : null;
        return new XClipOutput(logitsPerVideo, logitsPerText, textEmbeds, videoEmbeds, text, vision, mit, loss);
    }

    /// <summary>
    /// <c>logits_per_video [videos, texts]</c> of <see cref="Forward(TokenBatch, Tensor, ForwardOptions?)"/>, bit-identical, for
    /// callers that read nothing else: the text tower computes only its pooled rows in the last layer. (The vision tower
    /// stays whole: the prompt generator reads every patch token.)
    /// </summary>
    internal Tensor LogitsPerVideo(TokenBatch tokens, Tensor pixelValues)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var (vision, mit, videos) = EncodeVideo(pixelValues, ForwardOptions.Default, null);
        Tensor textFeatures = _textProjection.Forward(TextModel.ForwardPooled(tokens)); // [N, D]
        return Score(textFeatures, vision, mit, videos, null).LogitsPerVideo;
    }

    /// <summary>
    /// The video-conditioned half of <c>forward</c>: visual prompts from the patch tokens, the prompt generator on the
    /// text features <c>[N, D]</c>, the normalised embeddings and <c>logits_per_video [B, N]</c>.
    /// </summary>
    private (Tensor TextEmbeds, Tensor VideoEmbeds, Tensor LogitsPerVideo) Score(
        Tensor textFeatures, EncoderOutput vision, EncoderOutput mit, int videos, ForwardTrace? trace)
    {
        int t = Config.VisionConfig.NumFrames, d = Config.ProjectionDim;

        // Visual prompts: patch tokens (before post_layernorm) → prompts_visual_layernorm → @ prompts_visual_projection
        // (untransposed) → mean over the frames of each video.                                       [B, P, D]
        // The norm reads each frame's patch rows in place, skipping its class row.
        int tokens = vision.LastHiddenState.Dim(1), patches = tokens - 1, width = vision.LastHiddenState.Dim(2);
        var patchTokens = new Tensor(videos * t, patches, width); // [B·T, P, D_v]
        _promptsVisualLayerNorm.ForwardGroups(
            vision.LastHiddenState.Span[width..], patchTokens.Span, videos * t * patches, patches, tokens, NumericsOptions.MaxDegreeOfParallelism);
        Tensor projected = _promptsVisualProjection.Forward(patchTokens); // [B·T, P, D]
        Tensor visual = TensorOps.MeanOverAxis1(projected.Reshape(videos, t, patches * d)).Reshape(videos, patches, d);

        // Text: projected pooled state, broadcast to every video, then + prompt generator.            [B, N, D]
        int n = textFeatures.Dim(0);
        var textIn = new Tensor(videos, n, d);
        for (int b = 0; b < videos; b++)
        {
            textFeatures.Span.CopyTo(textIn.Span.Slice(b * n * d, n * d));
        }

        trace?.Record("prompts_generator.text_in", textIn);
        trace?.Record("prompts_generator.visual_in", visual);
        Tensor prompt = _promptsGenerator.Forward(textIn, visual);
        trace?.Record("prompts_generator.out", prompt);
        Tensor textEmbeds = TensorOps.L2Normalize(TensorOps.Add(textIn, prompt)); // [B, N, D]
        Tensor videoEmbeds = TensorOps.L2Normalize(mit.PoolerOutput); // [B, D]

        // logits_per_video[b, k] = exp(logit_scale)·⟨video_b, text_{b,k}⟩
        float scale = MathF.Exp(LogitScale);
        var logitsPerVideo = new Tensor(videos, n);
        for (int b = 0; b < videos; b++)
        {
            ReadOnlySpan<float> video = videoEmbeds.Span.Slice(b * d, d);
            for (int k = 0; k < n; k++)
            {
                logitsPerVideo.Span[(b * n) + k] = System.Numerics.Tensors.TensorPrimitives.Dot(video, textEmbeds.Span.Slice(((b * n) + k) * d, d)) * scale;
            }
        }

        return (textEmbeds, videoEmbeds, logitsPerVideo);
    }

    private (EncoderOutput Vision, EncoderOutput Mit, int Videos) EncodeVideo(Tensor pixelValues, ForwardOptions options, ForwardTrace? trace)
    {
        int videos = CheckVideoRank(pixelValues);
        EncoderOutput vision = VisionModel.Forward(pixelValues, options, trace);
        return (vision, Integrate(vision.PoolerOutput, videos, options, trace), videos);
    }

    /// <summary>Per-frame class features <c>[B·T, D_v]</c> → <c>visual_projection</c> → <c>[B, T, D]</c> → MIT.</summary>
    private EncoderOutput Integrate(Tensor pooledFrames, int videos, ForwardOptions options, ForwardTrace? trace)
    {
        Tensor frameFeatures = _visualProjection.Forward(pooledFrames); // [B·T, D]
        trace?.Record("visual_projection", frameFeatures);
        return _mit.Forward(frameFeatures.Reshape(videos, Config.VisionConfig.NumFrames, Config.ProjectionDim), options);
    }

    /// <summary>Checks that <paramref name="pixelValues"/> is <c>[videos, num_frames, C, H, W]</c> and returns the video count.</summary>
    private int CheckVideoRank(Tensor pixelValues)
    {
        ArgumentNullException.ThrowIfNull(pixelValues);
        if (pixelValues.Rank != 5)
        {
            int t = Config.VisionConfig.NumFrames, s = Config.VisionConfig.ImageSize;
            throw new ArgumentException(
                $"pixel_values must be [videos, num_frames = {t}, {Config.VisionConfig.NumChannels}, {s}, {s}]; got {pixelValues}.", nameof(pixelValues));
        }

        return pixelValues.Dim(0);
    }

    private static XClipModel Load(XClipConfig config, ITensorStore store, ModelOptions? options, IDisposable? owned)
    {
        ArgumentNullException.ThrowIfNull(store);
        var weights = new CheckpointWeights(store);
        var model = new XClipModel(config, weights, options, owned);
        weights.EnsureAllUsed();
        return model;
    }
}
