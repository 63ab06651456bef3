using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.AltClip;

/// <summary>
/// AltCLIP (<c>AltCLIPModel</c>): multilingual image–text similarity from an XLM-RoBERTa text tower and a CLIP ViT.
/// Numerically equal to <c>transformers</c> 4.37.2.
/// </summary>
/// <remarks>
/// A loaded model is immutable: any number of threads may call it at once; the weights are shared, never copied.
/// Dispose it to release the checkpoint file it maps.
/// </remarks>
public sealed class AltClipModel : IDisposable
{
    private readonly IDisposable? _owned;
    private readonly Linear _visualProjection;
    private readonly Linear _textProjection;

    private AltClipModel(AltClipConfig config, IWeightSource source, ModelOptions? options, IDisposable? owned)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        options ??= ModelOptions.Default;
        options.Validate();
        Config = config;
        Options = options;
        var counted = new CountingWeightSource(source);
        var weights = new WeightScope(counted, options.Precision);
        TextModel = new AltClipTextModel(weights, config.TextConfig);
        VisionModel = new AltClipVisionModel(weights, config.VisionConfig);
        _visualProjection = weights["visual_projection"].Linear(config.VisionConfig.HiddenSize, config.ProjectionDim, false, ComputePrecision.Float32);
        _textProjection = weights["text_projection"].Linear(config.TextConfig.ProjectDim, config.ProjectionDim, false, ComputePrecision.Float32);
        LogitScale = weights.Tensor("logit_scale", WeightRole.LogitScale).Span[0];
        ParameterCount = counted.Total;
        _owned = owned;
    }

    /// <summary>The configuration.</summary>
    public AltClipConfig Config { get; }

    /// <summary>How the model was built (its <see cref="ModelOptions.Precision"/>).</summary>
    public ModelOptions Options { get; }

    /// <summary>The text tower (<c>text_model</c>).</summary>
    public AltClipTextModel TextModel { get; }

    /// <summary>The vision tower (<c>vision_model</c>).</summary>
    public AltClipVisionModel VisionModel { get; }

    /// <summary>The number of parameters (float32 values) in the weights.</summary>
    public long ParameterCount { get; }

    /// <summary>The learned <c>logit_scale</c> (a log: logits are multiplied by <c>exp(LogitScale)</c>).</summary>
    public float LogitScale { get; }

    /// <summary>
    /// Loads a checkpoint: a local folder holding <c>config.json</c> and weights (<c>model.safetensors</c>, sharded
    /// safetensors or <c>pytorch_model.bin</c> — <c>BAAI/AltCLIP</c> ships only the latter), or a Hugging Face Hub id such as
    /// <c>BAAI/AltCLIP</c> or <c>org/name@revision</c>, resolved through (and downloaded into) the cache shared with Python's
    /// <c>huggingface_hub</c>.
    /// </summary>
    /// <param name="pathOrId">A folder (or its <c>config.json</c>), or a Hub id.</param>
    /// <param name="hubOptions">Cache folder, token, offline mode; null reads the <c>HF_*</c> environment variables.</param>
    /// <param name="options">The precision; null for <see cref="ModelOptions.Default"/> (float32).</param>
    /// <exception cref="InvalidDataException">The config is not AltCLIP's, or the weights do not match it.</exception>
    /// <exception cref="FileNotFoundException">The folder or the Hub repository lacks config.json or weights.</exception>
    public static AltClipModel FromPretrained(string pathOrId, Hub.HubOptions? hubOptions = null, ModelOptions? options = null)
    {
        string folder = PretrainedFiles.ResolveFolder(pathOrId, hubOptions);
        AltClipConfig config = AltClipConfig.FromFile(PretrainedFiles.ConfigPath(folder));
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
    /// <exception cref="InvalidDataException">A weight is missing or mis-shaped, or the store holds weights AltCLIP does not use.</exception>
    public static AltClipModel FromWeights(AltClipConfig config, ITensorStore store) => Load(config, store, null, owned: null);

    /// <summary>As <see cref="FromWeights(AltClipConfig, ITensorStore)"/>, in a given precision.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="store">The weights, named as in <c>transformers</c>' state dict.</param>
    /// <param name="options">The precision; null for <see cref="ModelOptions.Default"/> (float32).</param>
    /// <exception cref="InvalidDataException">A weight is missing or mis-shaped, or the store holds weights the model does not use.</exception>
    public static AltClipModel FromWeights(AltClipConfig config, ITensorStore store, ModelOptions? options) => Load(config, store, options, owned: null);

    /// <summary>Builds a model with random weights (for benchmarks and tests; its outputs mean nothing).</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="seed">The seed; equal seeds give equal weights.</param>
    /// <param name="options">The precision; null for <see cref="ModelOptions.Default"/> (float32).</param>
    public static AltClipModel CreateRandom(AltClipConfig config, int seed = 0, ModelOptions? options = null) => new(config, new RandomWeights(seed), options, null);

    /// <summary>Builds a model from any weight source (a checkpoint adapter, random weights, a recorder wrapping another source).</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="weights">The weights by <c>transformers</c> state-dict name.</param>
    public static AltClipModel FromWeightSource(AltClipConfig config, IWeightSource weights) => new(config, weights, null, null);

    /// <summary>As <see cref="FromWeightSource(AltClipConfig, IWeightSource)"/>, in a given precision.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="weights">The weights by <c>transformers</c> state-dict name.</param>
    /// <param name="options">The precision; null for <see cref="ModelOptions.Default"/> (float32).</param>
    public static AltClipModel FromWeightSource(AltClipConfig config, IWeightSource weights, ModelOptions? options) => new(config, weights, options, null);

    /// <summary>Text features (<c>get_text_features</c>): <c>text_projection</c> of the pooled <c>&lt;s&gt;</c> state, <c>[texts, projection_dim]</c>, not normalised.</summary>
    /// <param name="tokens">Ids and attention mask, <c>[texts, length]</c>.</param>
    public Tensor GetTextFeatures(TokenBatch tokens) => _textProjection.Forward(TextModel.ForwardPooled(tokens));

    /// <summary>Image features (<c>get_image_features</c>): <c>visual_projection</c> of the pooled class token, <c>[images, projection_dim]</c>, not normalised.</summary>
    /// <param name="pixelValues"><c>[images, channels, height, width]</c>.</param>
    /// <param name="options">Position interpolation for other sizes; null for none.</param>
    public Tensor GetImageFeatures(Tensor pixelValues, ForwardOptions? options = null) =>
        _visualProjection.Forward(VisionModel.ForwardPooled(pixelValues, (options ?? ForwardOptions.Default).InterpolatePositionEncoding));

    /// <summary>The full model (<c>forward</c>): normalised embeddings and their logits.</summary>
    /// <param name="tokens">Ids and attention mask, <c>[texts, length]</c>.</param>
    /// <param name="pixelValues"><c>[images, channels, height, width]</c>.</param>
    /// <param name="options">Hidden states, attentions, position interpolation, loss; null for none.</param>
    /// <exception cref="ArgumentException">An input has the wrong shape, or the loss is asked for non-square logits.</exception>
    public AltClipOutput Forward(TokenBatch tokens, Tensor pixelValues, ForwardOptions? options = null) =>
        Forward(tokens, pixelValues, options ?? ForwardOptions.Default, null);

    /// <inheritdoc />
    public void Dispose() => _owned?.Dispose();

    internal AltClipOutput Forward(TokenBatch tokens, Tensor pixelValues, ForwardOptions options, ForwardTrace? trace)
    {
        EncoderOutput text = TextModel.Forward(tokens, options, trace);
        EncoderOutput vision = VisionModel.Forward(pixelValues, options, trace);
        Tensor imageEmbeds = TensorOps.L2Normalize(_visualProjection.Forward(vision.PoolerOutput)); // [images, D]
        Tensor textEmbeds = TensorOps.L2Normalize(_textProjection.Forward(text.PoolerOutput)); // [texts, D]

        // logits_per_text = text · imageᵀ · exp(logit_scale)
        int texts = textEmbeds.Dim(0), images = imageEmbeds.Dim(0), d = textEmbeds.Dim(1);
        var logitsPerText = new Tensor(texts, images);
        Gemm.MatMulTransposed(textEmbeds.Span, imageEmbeds.Span, logitsPerText.Span, texts, d, images);
        System.Numerics.Tensors.TensorPrimitives.Multiply(logitsPerText.Span, MathF.Exp(LogitScale), logitsPerText.Span);
        Tensor logitsPerImage = TensorOps.Transpose(logitsPerText);
        float? loss = options.ReturnLoss ? ContrastiveLoss.Compute(logitsPerText) : null;
        return new AltClipOutput(logitsPerImage, logitsPerText, textEmbeds, imageEmbeds, text, vision, loss);
    }

    private static AltClipModel Load(AltClipConfig config, ITensorStore store, ModelOptions? options, IDisposable? owned)
    {
        ArgumentNullException.ThrowIfNull(store);
        var weights = new CheckpointWeights(store);
        var model = new AltClipModel(config, weights, options, owned);
        weights.EnsureAllUsed();
        return model;
    }
}
