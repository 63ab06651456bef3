using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// CLIP ViT embeddings (<c>CLIPVisionEmbeddings</c>): the patch convolution (kernel = stride = patch, no bias) computed
/// as one GEMM over all patches of all images, the class token first, plus position embeddings (bicubically
/// interpolated for other resolutions when asked).
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

    /// <summary><c>pixels [n, channels, height, width]</c> → <c>[n, patches + 1, hidden]</c>.</summary>
    public Tensor Forward(Tensor pixels, bool interpolatePositionEncoding)
    {
        int n = pixels.Dim(0), channels = pixels.Dim(1), height = pixels.Dim(2), width = pixels.Dim(3);
        int p = _shape.PatchSize, d = _shape.HiddenSize;
        int gridH = height / p, gridW = width / p, patches = gridH * gridW;

        // im2col: one row per patch, columns in the conv weight's (channel, ky, kx) order.
        int columns = channels * p * p;
        using var rows = ScratchTensor.Rent(n * patches, columns);
        using var patchEmbeds = ScratchTensor.Rent(n * patches, d);
        ReadOnlySpan<float> source = pixels.Span;
        Span<float> target = rows.Span;
        for (int image = 0; image < n; image++)
        {
            for (int gy = 0; gy < gridH; gy++)
            {
                for (int gx = 0; gx < gridW; gx++)
                {
                    Span<float> row = target.Slice(((image * patches) + (gy * gridW) + gx) * columns, columns);
                    for (int c = 0; c < channels; c++)
                    {
                        for (int ky = 0; ky < p; ky++)
                        {
                            int offset = ((((image * channels) + c) * height) + (gy * p) + ky) * width + (gx * p);
                            source.Slice(offset, p).CopyTo(row.Slice(((c * p) + ky) * p, p));
                        }
                    }
                }
            }
        }

        _patch.Forward(rows.Span, patchEmbeds.Span, n * patches); // [n·patches, d]
        Tensor positions = PositionEmbeddings(gridH, gridW, height == width, interpolatePositionEncoding); // [patches + 1, d]

        var embeddings = new Tensor(n, patches + 1, d);
        for (int image = 0; image < n; image++)
        {
            Tensor item = embeddings.Slice(image); // [patches + 1, d]
            _classEmbedding.Span.CopyTo(item.Span);
            patchEmbeds.Span.Slice(image * patches * d, patches * d).CopyTo(item.Span[d..]);
            TensorOps.AddInPlace(item, positions);
        }

        return embeddings;
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
