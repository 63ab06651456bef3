using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// The CLIP ViT tower shared by AltCLIP's vision model and X-CLIP's per-frame encoder (<c>CLIPVisionTransformer</c>):
/// embeddings → pre-encoder LayerNorm → encoder layers → <c>post_layernorm</c> on the class token. The two models differ
/// only in the pre-LayerNorm's key (<c>pre_layrnorm</c> in AltCLIP, <c>pre_layernorm</c> in X-CLIP) and in their layers
/// (X-CLIP's exchange message tokens across frames), both passed in.
/// </summary>
internal sealed class ClipVisionTransformer
{
    private readonly VisionTowerShape _shape;

    public ClipVisionTransformer(WeightScope weights, VisionTowerShape shape, string preLayerNormName, Func<WeightScope, IEncoderLayer> createLayer)
    {
        _shape = shape;
        Embeddings = new ClipVisionEmbeddings(weights["embeddings"], shape);
        PreLayerNorm = weights[preLayerNormName].LayerNorm(shape.HiddenSize, shape.LayerNormEpsilon);
        WeightScope layers = weights["encoder"]["layers"];
        Encoder = new ClipEncoder(Enumerable.Range(0, shape.Layers).Select(i => createLayer(layers[i])).ToArray());
        PostLayerNorm = weights["post_layernorm"].LayerNorm(shape.HiddenSize, shape.LayerNormEpsilon);
    }

    public ClipVisionEmbeddings Embeddings { get; }

    public LayerNorm PreLayerNorm { get; }

    public ClipEncoder Encoder { get; }

    public LayerNorm PostLayerNorm { get; }

    /// <summary><c>pixels [n, channels, height, width]</c> → last hidden state <c>[n, patches + 1, hidden]</c> and pooled <c>[n, hidden]</c>.</summary>
    public EncoderOutput Forward(Tensor pixels, ForwardOptions options, ForwardTrace? trace)
    {
        ValidatePixels(pixels, options.InterpolatePositionEncoding);

        // h = pre_layernorm(embeddings) [n, P+1, D] is only read by the first layer, unless it is hidden_states[0] (or, with
        // no layer, the last hidden state): then it is the caller's tensor, else pooled.
        bool returned = options.OutputHiddenStates || Encoder.Layers.Count == 0;
        int[] shape = Embeddings.OutputShape(pixels);
        using ScratchTensor? pooled = returned ? null : ScratchTensor.Rent(shape);
        Tensor h = pooled?.Tensor ?? Tensor.Uninitialized(shape);
        Embed(pixels, options.InterpolatePositionEncoding, h, trace);
        List<Tensor>? hiddenStates = options.OutputHiddenStates ? new() : null;
        List<Tensor>? attentions = options.OutputAttentions ? new() : null;
        Tensor last = Encoder.Forward(h, EncoderMask.None, hiddenStates, attentions);
        Tensor pooler = PostLayerNorm.Forward(TensorOps.SelectToken(last, 0)); // [n, D]
        return new EncoderOutput(last, pooler, hiddenStates, attentions);
    }

    /// <summary>
    /// Only the pooled output, <c>pixels [n, channels, height, width]</c> → <c>post_layernorm(class token)</c> <c>[n, hidden]</c>,
    /// bit-identical to <see cref="Forward"/>'s <c>pooler_output</c>: the last layer computes the class token's row only.
    /// </summary>
    public Tensor ForwardPooled(Tensor pixels, bool interpolatePositionEncoding)
    {
        ValidatePixels(pixels, interpolatePositionEncoding);
        using var h = ScratchTensor.Rent(Embeddings.OutputShape(pixels)); // [n, P+1, D]; ForwardRows returns new rows
        Embed(pixels, interpolatePositionEncoding, h.Tensor, trace: null);
        int[] classTokens = new int[pixels.Dim(0)]; // row 0 of every image
        return PostLayerNorm.Forward(Encoder.ForwardRows(h.Tensor, EncoderMask.None, classTokens)); // [n, D]
    }

    /// <summary>
    /// <paramref name="h"/> = <c>pre_layernorm(embeddings(pixels))</c>, in the embeddings' row pass; with a trace, the
    /// embeddings are kept in a tensor of their own and recorded first.
    /// </summary>
    private void Embed(Tensor pixels, bool interpolatePositionEncoding, Tensor h, ForwardTrace? trace)
    {
        if (trace is null)
        {
            Embeddings.Forward(pixels, interpolatePositionEncoding, h, PreLayerNorm);
            return;
        }

        Tensor embeddings = Embeddings.Forward(pixels, interpolatePositionEncoding); // [n, P+1, D]
        trace.Record("vision_embeddings", embeddings);
        PreLayerNorm.Forward(embeddings.Span, h.Span, embeddings.Length / PreLayerNorm.Width);
    }

    private void ValidatePixels(Tensor pixels, bool interpolate)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Rank != 4)
        {
            throw new ArgumentException($"pixel_values must be [images, {_shape.Channels}, height, width]; got {pixels}.", nameof(pixels));
        }

        if (pixels.Dim(1) != _shape.Channels)
        {
            throw new ArgumentException(
                $"pixel_values has {pixels.Dim(1)} channels but the config's num_channels is {_shape.Channels} (pixel_values {pixels}).", nameof(pixels));
        }

        int height = pixels.Dim(2), width = pixels.Dim(3);
        if (pixels.Dim(0) == 0)
        {
            throw new ArgumentException($"pixel_values holds no image ({pixels}).", nameof(pixels));
        }

        if (!interpolate && (height != _shape.ImageSize || width != _shape.ImageSize))
        {
            throw new ArgumentException(
                $"Input image size ({height}*{width}) doesn't match model ({_shape.ImageSize}*{_shape.ImageSize}). Resize the images to the config's image_size, or set ForwardOptions.InterpolatePositionEncoding.",
                nameof(pixels));
        }

        if (height < _shape.PatchSize || width < _shape.PatchSize)
        {
            throw new ArgumentException(
                $"Images of {height}×{width} pixels are smaller than one {_shape.PatchSize}×{_shape.PatchSize} patch.", nameof(pixels));
        }
    }
}
