using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tests.XClip;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Clip.Tests.Modeling;

/// <summary>
/// The ViT embeddings' fused path (parallel im2col with class slots, the patch product written into the embeddings' rows,
/// class + positions + pre-LayerNorm in one parallel row pass) against the separate passes it replaced, bit for bit, and
/// against a direct double-precision convolution; and the tower's use of pooled buffers (hidden_states[0] and a layerless
/// tower's output stay the caller's).
/// </summary>
[TestClass]
public sealed class VisionEmbeddingsTests
{
    /// <summary>Random weights everywhere, layer norms included (RandomWeights makes γ = 1, β = 0, which would hide a norm's mistakes).</summary>
    private sealed class AllRandomWeights(int seed) : IWeightSource
    {
        private readonly RandomWeights _inner = new(seed);

        public Tensor Take(string name, WeightRole role, params int[] shape)
        {
            Tensor tensor = _inner.Take(name, role is WeightRole.NormScale or WeightRole.NormShift ? WeightRole.Bias : role, shape);
            if (role == WeightRole.NormScale)
            {
                TensorPrimitives.Add(tensor.Span, 1f, tensor.Span); // γ near 1
            }

            return tensor;
        }
    }

    private static VisionTowerShape Shape(int hidden, int imageSize, int patch, int layers = 1) =>
        new(hidden, Heads: 2, IntermediateSize: 10, layers, Channels: 3, imageSize, patch, LayerNormEpsilon: 1e-5, Activation.QuickGelu);

    private static ClipVisionTransformer Tower(VisionTowerShape shape, int seed)
    {
        WeightScope weights = new WeightScope(new AllRandomWeights(seed))["vision_model"];
        return new ClipVisionTransformer(
            weights, shape, "pre_layrnorm",
            layer => new ClipEncoderLayer(layer, shape.HiddenSize, shape.Heads, shape.IntermediateSize, shape.Activation, shape.LayerNormEpsilon));
    }

    private static Tensor Filled(float value, params int[] shape)
    {
        var tensor = new Tensor(shape);
        tensor.Span.Fill(value);
        return tensor;
    }

    [TestMethod]
    [DataRow(2, 23, 30, 7, 1)] // grids of 3×4 with pixels past the last whole patch; sequential (few values)
    [DataRow(2, 23, 30, 7, 2)]
    [DataRow(3, 70, 77, 7, 1)] // 3·111·147 values: split over the pool
    [DataRow(3, 70, 77, 7, 2)]
    [DataRow(3, 70, 77, 7, 3)]
    [DataRow(1, 32, 32, 32, 2)] // one patch per image
    public void PatchRowsHoldEachPatchInTheWeightsOrderAfterAZeroClassRow(int images, int height, int width, int patch, int threads)
    {
        const int channels = 3;
        Tensor pixels = XClipModelTests.RandomTensor(31, images, channels, height, width);
        int gridH = height / patch, gridW = width / patch, tokens = 1 + (gridH * gridW), columns = channels * patch * patch;
        Tensor rows = Filled(float.NaN, images, tokens, columns); // every value must be written
        PatchRows.Gather(pixels, patch, rows.Span, threads);

        for (int image = 0; image < images; image++)
        {
            for (int column = 0; column < columns; column++)
            {
                Assert.AreEqual(0f, rows[image, 0, column], $"class slot of image {image}");
            }

            for (int gy = 0; gy < gridH; gy++)
            {
                for (int gx = 0; gx < gridW; gx++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        for (int ky = 0; ky < patch; ky++)
                        {
                            for (int kx = 0; kx < patch; kx++)
                            {
                                float expected = pixels[image, c, (gy * patch) + ky, (gx * patch) + kx];
                                float actual = rows[image, 1 + (gy * gridW) + gx, (((c * patch) + ky) * patch) + kx];
                                Assert.AreEqual(expected, actual, $"image {image}, patch ({gy}, {gx}), channel {c}, pixel ({ky}, {kx})");
                            }
                        }
                    }
                }
            }
        }
    }

    [TestMethod]
    public void PatchRowsRejectATooSmallTarget()
    {
        Tensor pixels = new(1, 3, 14, 14);
        var exception = Assert.ThrowsExactly<ArgumentException>(() => PatchRows.Gather(pixels, 7, new float[(5 * 147) - 1], 1));
        StringAssert.Contains(exception.Message, "735");
    }

    [TestMethod]
    [DataRow(1, 1)]
    [DataRow(40, 1)] // 3·17·40 values: one thread
    [DataRow(232, 1)] // 3·17·232 > 2¹⁵ values: split over the pool
    [DataRow(232, 2)]
    [DataRow(232, 3)]
    public void EmbeddingRowsEqualTheSeparateAddsAndNormBitForBit(int width, int threads)
    {
        const int images = 3, tokens = 17;
        Tensor patchRows = XClipModelTests.RandomTensor(41, images, tokens, width);
        Tensor classEmbedding = XClipModelTests.RandomTensor(42, width);
        Tensor positions = XClipModelTests.RandomTensor(43, tokens, width);
        var norm = new LayerNorm(XClipModelTests.RandomTensor(44, width), XClipModelTests.RandomTensor(45, width), 1e-5f);

        // The separate passes: class copied into row 0, positions added to each image, then a layer norm of all rows.
        Tensor expected = patchRows.Clone();
        for (int image = 0; image < images; image++)
        {
            Tensor item = expected.Slice(image);
            classEmbedding.Span.CopyTo(item.Span);
            TensorPrimitives.Add(item.Span, positions.Span, item.Span);
        }

        Tensor expectedNormalized = norm.Forward(expected);

        Tensor added = patchRows.Clone();
        EmbeddingRows.Finish(added, classEmbedding.Span, positions.Span, null, threads);
        ReferenceFormulas.AssertIdentical(expected, added, "class + positions");

        Tensor normalized = patchRows.Clone();
        EmbeddingRows.Finish(normalized, classEmbedding.Span, positions.Span, norm, threads);
        ReferenceFormulas.AssertIdentical(expectedNormalized, normalized, "layer_norm(class + positions)");
    }

    [TestMethod]
    public void EmbeddingRowsRejectMismatchedTables()
    {
        Tensor rows = new(2, 5, 8);
        var exception = Assert.ThrowsExactly<ArgumentException>(() => EmbeddingRows.Finish(rows, new float[8], new float[4 * 8], null, 1));
        StringAssert.Contains(exception.Message, "5×8 position values");
    }

    [TestMethod]
    [DataRow(40, 28, 28, 7, false)] // native 4×4 grid
    [DataRow(40, 35, 49, 7, true)] // interpolated, not square
    [DataRow(40, 30, 37, 7, true)] // interpolated, pixels past the last whole patch
    [DataRow(232, 42, 42, 7, true)] // 4·37·232 values: the row pass is split over the pool
    public void EmbeddingsEqualTheSeparatePassesBitForBit(int hidden, int height, int width, int patch, bool interpolate)
    {
        const int images = 4;
        VisionTowerShape shape = Shape(hidden, imageSize: 28, patch);
        ClipVisionTransformer tower = Tower(shape, seed: 7);
        WeightScope weights = new WeightScope(new AllRandomWeights(7))["vision_model"]["embeddings"];
        Tensor conv = weights["patch_embedding"].Tensor("weight", WeightRole.Matrix, hidden, 3, patch, patch);
        Tensor classEmbedding = weights.Tensor("class_embedding", WeightRole.Embedding, hidden);
        Tensor pixels = XClipModelTests.RandomTensor(47, images, 3, height, width);
        int gridH = height / patch, gridW = width / patch;
        Tensor positions = tower.Embeddings.PositionEmbeddings(gridH, gridW, height == width, interpolate);

        Tensor expected = SeparatePasses(pixels, new Linear(conv.Reshape(hidden, 3 * patch * patch), null), classEmbedding, positions, patch);
        Tensor embeddings = tower.Embeddings.Forward(pixels, interpolate);
        ReferenceFormulas.AssertIdentical(expected, embeddings, "embeddings");

        Tensor normalized = Filled(float.NaN, expected.Shape.ToArray());
        tower.Embeddings.Forward(pixels, interpolate, normalized, tower.PreLayerNorm);
        ReferenceFormulas.AssertIdentical(tower.PreLayerNorm.Forward(expected), normalized, "pre_layrnorm(embeddings)");

        // The convolution itself, summed directly from the pixels in double precision.
        for (int image = 0; image < images; image++)
        {
            for (int token = 0; token <= gridH * gridW; token++)
            {
                for (int o = 0; o < hidden; o++)
                {
                    double sum = positions[token, o], magnitude = Math.Abs(positions[token, o]);
                    if (token == 0)
                    {
                        sum += classEmbedding[o];
                        magnitude += Math.Abs(classEmbedding[o]);
                    }
                    else
                    {
                        int gy = (token - 1) / gridW, gx = (token - 1) % gridW;
                        for (int c = 0; c < 3; c++)
                        {
                            for (int ky = 0; ky < patch; ky++)
                            {
                                for (int kx = 0; kx < patch; kx++)
                                {
                                    double term = (double)conv[o, c, ky, kx] * pixels[image, c, (gy * patch) + ky, (gx * patch) + kx];
                                    sum += term;
                                    magnitude += Math.Abs(term);
                                }
                            }
                        }
                    }

                    // A float sum of k terms (one FMA chain, then the position add) is within k·2⁻²⁴·Σ|terms| of the exact sum.
                    double bound = (3 * patch * patch + 2) * Math.Pow(2, -24) * magnitude;
                    Assert.AreEqual(sum, embeddings[image, token, o], bound, $"image {image}, token {token}, feature {o}");
                }
            }
        }
    }

    [TestMethod]
    [DataRow(2)] // each layer returns a new tensor
    [DataRow(3)] // layers alternate between pooled buffers
    public void HiddenStatesZeroIsTheCallersPreNormedEmbeddings(int layers)
    {
        ClipVisionTransformer tower = Tower(Shape(24, imageSize: 28, patch: 7, layers), seed: 9);
        Tensor pixels = XClipModelTests.RandomTensor(51, 2, 3, 28, 28);
        Tensor other = XClipModelTests.RandomTensor(52, 2, 3, 28, 28);
        var withHidden = new ForwardOptions { OutputHiddenStates = true };

        EncoderOutput output = tower.Forward(pixels, withHidden, null);
        Tensor first = output.HiddenStates[0];
        Tensor firstCopy = first.Clone();
        ReferenceFormulas.AssertIdentical(tower.PreLayerNorm.Forward(tower.Embeddings.Forward(pixels, false)), first, "hidden_states[0]");
        Assert.HasCount(layers + 1, output.HiddenStates);

        // Other calls (which rent and return pooled buffers) must not write into the tensors the caller holds.
        EncoderOutput plain = tower.Forward(other, ForwardOptions.Default, null);
        Tensor pooled = tower.ForwardPooled(other, false);
        ReferenceFormulas.AssertIdentical(firstCopy, first, "hidden_states[0] after other calls");
        ReferenceFormulas.AssertIdentical(plain.PoolerOutput, pooled, "pooler_output, full and pooled paths");

        // The pooled input buffer gives the same last hidden state as the caller's.
        ReferenceFormulas.AssertIdentical(tower.Forward(other, withHidden, null).LastHiddenState, plain.LastHiddenState, "last_hidden_state");
        ReferenceFormulas.AssertIdentical(output.LastHiddenState, tower.Forward(pixels, ForwardOptions.Default, null).LastHiddenState, "last_hidden_state again");
    }

    [TestMethod]
    public void ATowerWithoutLayersReturnsTheCallersTensor()
    {
        ClipVisionTransformer tower = Tower(Shape(24, imageSize: 28, patch: 7, layers: 0), seed: 10);
        Tensor pixels = XClipModelTests.RandomTensor(53, 2, 3, 28, 28);
        EncoderOutput output = tower.Forward(pixels, ForwardOptions.Default, null);
        Tensor copy = output.LastHiddenState.Clone();
        ReferenceFormulas.AssertIdentical(tower.PreLayerNorm.Forward(tower.Embeddings.Forward(pixels, false)), copy, "last_hidden_state");

        tower.Forward(XClipModelTests.RandomTensor(54, 2, 3, 28, 28), ForwardOptions.Default, null);
        tower.ForwardPooled(XClipModelTests.RandomTensor(55, 2, 3, 28, 28), false);
        ReferenceFormulas.AssertIdentical(copy, output.LastHiddenState, "last_hidden_state after other calls");
    }

    [TestMethod]
    public void TheTraceKeepsTheEmbeddingsBeforeTheNorm()
    {
        ClipVisionTransformer tower = Tower(Shape(24, imageSize: 28, patch: 7, layers: 3), seed: 11);
        Tensor pixels = XClipModelTests.RandomTensor(56, 2, 3, 28, 28);
        var trace = new ForwardTrace();
        EncoderOutput traced = tower.Forward(pixels, ForwardOptions.Default, trace);
        ReferenceFormulas.AssertIdentical(tower.Embeddings.Forward(pixels, false), trace.Tensors["vision_embeddings"], "vision_embeddings");
        ReferenceFormulas.AssertIdentical(tower.Forward(pixels, ForwardOptions.Default, null).LastHiddenState, traced.LastHiddenState, "last_hidden_state");
    }

    /// <summary>
    /// The embeddings as separate passes compute them: im2col of the patches alone, one product over all of them, then a
    /// new tensor with the class token copied first, the patch embeddings after it and the positions added per image.
    /// </summary>
    private static Tensor SeparatePasses(Tensor pixels, Linear patchLinear, Tensor classEmbedding, Tensor positions, int p)
    {
        int n = pixels.Dim(0), channels = pixels.Dim(1), height = pixels.Dim(2), width = pixels.Dim(3), d = patchLinear.OutFeatures;
        int gridH = height / p, gridW = width / p, patches = gridH * gridW, columns = channels * p * p;
        var rows = new float[n * patches * columns];
        for (int image = 0; image < n; image++)
        {
            for (int gy = 0; gy < gridH; gy++)
            {
                for (int gx = 0; gx < gridW; gx++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        for (int ky = 0; ky < p; ky++)
                        {
                            int offset = ((((image * channels) + c) * height) + (gy * p) + ky) * width + (gx * p);
                            pixels.Span.Slice(offset, p).CopyTo(rows.AsSpan((((image * patches) + (gy * gridW) + gx) * columns) + (((c * p) + ky) * p), p));
                        }
                    }
                }
            }
        }

        var patchEmbeds = new float[n * patches * d];
        patchLinear.Forward(rows, patchEmbeds, n * patches);
        var embeddings = new Tensor(n, patches + 1, d);
        for (int image = 0; image < n; image++)
        {
            Tensor item = embeddings.Slice(image);
            classEmbedding.Span.CopyTo(item.Span);
            patchEmbeds.AsSpan(image * patches * d, patches * d).CopyTo(item.Span[d..]);
            TensorPrimitives.Add(item.Span, positions.Span, item.Span);
        }

        return embeddings;
    }
}
