using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// CLIP ViT embeddings (<c>CLIPVisionEmbeddings</c>): the patch convolution (kernel = stride = patch, no bias) computed
/// as one GEMM over all patches of all images, written straight into the embeddings' rows, the class token first, plus
/// position embeddings (bicubically interpolated for other resolutions when asked); optionally the tower's
/// pre-LayerNorm in the same row pass.
/// </summary>
internal sealed class ClipVisionEmbeddings
{
    private readonly VisionTowerShape _shape;
    private readonly Linear _patch;
    private readonly Tensor _classEmbedding;
    private readonly Tensor _positionEmbedding;

    public ClipVisionEmbeddings(WeightScope weights, VisionTowerShape shape)
    {
        _shape = shape;
        int d = shape.HiddenSize, p = shape.PatchSize;
        _classEmbedding = weights.Tensor("class_embedding", WeightRole.Embedding, d);
        Tensor conv = weights["patch_embedding"].Tensor("weight", WeightRole.Matrix, d, shape.Channels, p, p);
        _patch = new Linear(conv.Reshape(d, shape.Channels * p * p), null); // view, no copy
        _positionEmbedding = weights["position_embedding"].Tensor("weight", WeightRole.Embedding, shape.Positions, d);
    }

    /// <summary><c>pixels [n, channels, height, width]</c> → the shape of the embeddings, <c>[n, patches + 1, hidden]</c>.</summary>
    public int[] OutputShape(Tensor pixels) =>
        [pixels.Dim(0), ((pixels.Dim(2) / _shape.PatchSize) * (pixels.Dim(3) / _shape.PatchSize)) + 1, _shape.HiddenSize];

    /// <summary><c>pixels [n, channels, height, width]</c> → a new tensor <c>[n, patches + 1, hidden]</c>.</summary>
    public Tensor Forward(Tensor pixels, bool interpolatePositionEncoding)
    {
        Tensor embeddings = Tensor.Uninitialized(OutputShape(pixels)); // written whole
        Forward(pixels, interpolatePositionEncoding, embeddings, norm: null);
        return embeddings;
    }

    /// <summary>
    /// <c>pixels [n, channels, height, width]</c> → <paramref name="output"/> <c>[n, patches + 1, hidden]</c> (see
    /// <see cref="OutputShape"/>), every value overwritten; with <paramref name="norm"/>, <c>norm(embeddings)</c> instead
    /// (the tower's pre-LayerNorm applied row by row in the same pass, bit-identical to normalising the embeddings after).
    /// </summary>
    public void Forward(Tensor pixels, bool interpolatePositionEncoding, Tensor output, LayerNorm? norm)
    {
        int[] shape = OutputShape(pixels);
        if (!output.HasShape(shape))
        {
            throw new ArgumentException($"The vision embeddings of {pixels} are {Tensor.FormatShape(shape)}; got an output of {output}.", nameof(output));
        }

        int n = pixels.Dim(0), height = pixels.Dim(2), width = pixels.Dim(3);
        int p = _shape.PatchSize, tokens = shape[1];
        int threads = NumericsOptions.MaxDegreeOfParallelism;

        // im2col with a zero row in each image's class slot, so the patch product writes the embeddings' rows in place:
        // rows [n, patches + 1, channels·p·p] · weightᵀ → output [n, patches + 1, hidden] (class rows 0, overwritten below).
        using var rows = ScratchTensor.Rent(n, tokens, _patch.InFeatures);
        PatchRows.Gather(pixels, p, rows.Span, threads);
        _patch.Forward(rows.Span, output.Span, n * tokens);

        // Row 0 of each image = class + positions[0], row j += positions[j]; then the norm, if any.
        Tensor positions = PositionEmbeddings(height / p, width / p, height == width, interpolatePositionEncoding); // [patches + 1, d]
        EmbeddingRows.Finish(output, _classEmbedding.Span, positions.Span, norm, threads);
    }

    /// <summary>The position table for a <c>gridH × gridW</c> patch grid, <c>[gridH·gridW + 1, d]</c>.</summary>
    internal Tensor PositionEmbeddings(int gridH, int gridW, bool square, bool interpolate)
    {
        int native = _shape.GridSize;
        if (!interpolate || (gridH * gridW == native * native && square))
        {
            return _positionEmbedding;
        }

        int d = _shape.HiddenSize;
        Tensor grid = _positionEmbedding.Slice(1, native * native).Reshape(native, native, d);
        Tensor resized = BicubicInterpolation.Resize(grid, gridH, gridW);
        var table = new Tensor((gridH * gridW) + 1, d);
        _positionEmbedding.Span[..d].CopyTo(table.Span);
        resized.Span.CopyTo(table.Span[d..]);
        return table;
    }
}
