using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tests.XClip;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Tests.Modeling;

/// <summary>
/// The pooled-row path (<c>get_*_features</c>: the last encoder layer computes only the row each tower pools) against the
/// full path's <c>pooler_output</c>, tower by tower, on random configs, padded batches with different end-of-text
/// positions, float32 and int8. Every value is computed by the same operations in the same order (the GEMM reduces each
/// output over k in a fixed order whatever the row count; layer norm, softmax and int8 activation scales are per row),
/// so the assertions are bit-for-bit.
/// </summary>
[TestClass]
public sealed class PooledRowsTests
{
    private static readonly ModelOptions Int8 = new() { Precision = ComputePrecision.Int8 };

    /// <summary>X-CLIP texts padded with the end-of-text id 299 (the largest): end-of-text at 3, 2, 4, 1 and 0 (a text of only that token).</summary>
    private static TokenBatch XClipTexts() => new(
        new long[,] { { 298, 7, 9, 299, 299, 299 }, { 298, 5, 299, 299, 299, 299 }, { 298, 1, 2, 3, 299, 299 }, { 298, 299, 299, 299, 299, 299 }, { 299, 299, 299, 299, 299, 299 } },
        new long[,] { { 1, 1, 1, 1, 0, 0 }, { 1, 1, 1, 0, 0, 0 }, { 1, 1, 1, 1, 1, 0 }, { 1, 1, 0, 0, 0, 0 }, { 1, 0, 0, 0, 0, 0 } });

    /// <summary>AltCLIP texts of 6, 3, 5 and 2 real tokens, padded with id 1.</summary>
    private static TokenBatch AltClipTexts() => new(
        new long[,] { { 0, 5, 6, 7, 8, 2 }, { 0, 9, 2, 1, 1, 1 }, { 0, 11, 12, 13, 2, 1 }, { 0, 2, 1, 1, 1, 1 } },
        new long[,] { { 1, 1, 1, 1, 1, 1 }, { 1, 1, 1, 0, 0, 0 }, { 1, 1, 1, 1, 1, 0 }, { 1, 1, 0, 0, 0, 0 } });

    private static XClipConfig XClipConfig(int layers)
    {
        XClipConfig config = XClipModelTests.OtherConfig();
        return config with
        {
            TextConfig = config.TextConfig with { NumHiddenLayers = layers },
            VisionConfig = config.VisionConfig with { NumHiddenLayers = layers },
        };
    }

    private static AltClipConfig AltClipConfig(int layers) => new()
    {
        ProjectionDim = 12,
        TextConfig = new AltClipTextConfig { VocabSize = 50, HiddenSize = 16, NumHiddenLayers = layers, NumAttentionHeads = 2, IntermediateSize = 20, MaxPositionEmbeddings = 12, ProjectDim = 10 },
        VisionConfig = new AltClipVisionConfig { HiddenSize = 18, IntermediateSize = 22, NumHiddenLayers = layers, NumAttentionHeads = 3, ImageSize = 28, PatchSize = 14 },
    };

    [TestMethod]
    [DataRow(1, false)]
    [DataRow(3, false)]
    [DataRow(3, true)]
    public void XClipTextPooledRowsEqualTheFullPassBitForBit(int layers, bool int8)
    {
        using XClipModel model = XClipModel.CreateRandom(XClipConfig(layers), seed: 11, int8 ? Int8 : null);
        TokenBatch tokens = XClipTexts();
        Tensor full = model.TextModel.Forward(tokens).PoolerOutput;
        Tensor pooled = model.TextModel.ForwardPooled(tokens);
        ReferenceFormulas.AssertIdentical(full, pooled, "text pooler_output");
        AssertNotTrivial(full);

        // get_text_features is text_projection of it; logits without the text tower's other rows equal forward's.
        Tensor pixels = XClipModelTests.RandomTensor(12, 2, 5, 3, 48, 48);
        XClipOutput output = model.Forward(tokens, pixels);
        ReferenceFormulas.AssertIdentical(output.TextModelOutput.PoolerOutput, pooled, "forward's text pooler_output");
        ReferenceFormulas.AssertIdentical(output.LogitsPerVideo, model.LogitsPerVideo(tokens, pixels), "logits_per_video");
    }

    [TestMethod]
    public void XClipTextPooledRowsIgnoreFurtherPadding()
    {
        // Under the causal mask the end-of-text row never sees the padding after it: more padding changes no bit.
        using XClipModel model = XClipModel.CreateRandom(XClipConfig(2), seed: 13);
        var tokens = new TokenBatch(new long[,] { { 298, 7, 9, 299 }, { 298, 5, 299, 299 } }, new long[,] { { 1, 1, 1, 1 }, { 1, 1, 1, 0 } });
        var padded = new TokenBatch(
            new long[,] { { 298, 7, 9, 299, 299, 299, 299 }, { 298, 5, 299, 299, 299, 299, 299 } },
            new long[,] { { 1, 1, 1, 1, 0, 0, 0 }, { 1, 1, 1, 0, 0, 0, 0 } });
        ReferenceFormulas.AssertIdentical(model.GetTextFeatures(tokens), model.GetTextFeatures(padded), "text features");
    }

    [TestMethod]
    [DataRow(1, false)]
    [DataRow(3, false)]
    [DataRow(3, true)]
    public void XClipVideoPooledRowsEqualTheFullPassBitForBit(int layers, bool int8)
    {
        using XClipModel model = XClipModel.CreateRandom(XClipConfig(layers), seed: 17, int8 ? Int8 : null);
        Tensor pixels = XClipModelTests.RandomTensor(18, 3, 5, 3, 48, 48); // 3 videos × 5 frames
        Tensor full = model.VisionModel.Forward(pixels).PoolerOutput; // [15, hidden]
        Tensor pooled = model.VisionModel.ForwardPooled(pixels);
        ReferenceFormulas.AssertIdentical(full, pooled, "vision pooler_output");
        AssertNotTrivial(full);

        // get_video_features (pooled rows) equals the MIT pooled output of forward (full vision tower).
        XClipOutput output = model.Forward(XClipTexts(), pixels);
        ReferenceFormulas.AssertIdentical(output.MitOutput.PoolerOutput, model.GetVideoFeatures(pixels), "video features");
    }

    [TestMethod]
    [DataRow(1, false)]
    [DataRow(4, false)]
    [DataRow(4, true)]
    public void AltClipImagePooledRowsEqualTheFullPassBitForBit(int layers, bool int8)
    {
        using AltClipModel model = AltClipModel.CreateRandom(AltClipConfig(layers), seed: 19, int8 ? Int8 : null);
        Tensor pixels = XClipModelTests.RandomTensor(20, 3, 3, 28, 28);
        Tensor full = model.VisionModel.Forward(pixels).PoolerOutput;
        ReferenceFormulas.AssertIdentical(full, model.VisionModel.ForwardPooled(pixels, interpolatePositionEncoding: false), "vision pooler_output");
        AssertNotTrivial(full);

        // Other sizes through interpolated position embeddings take the same path.
        Tensor larger = XClipModelTests.RandomTensor(21, 2, 3, 42, 42);
        var interpolate = new ForwardOptions { InterpolatePositionEncoding = true };
        ReferenceFormulas.AssertIdentical(
            model.VisionModel.Forward(larger, interpolate).PoolerOutput, model.VisionModel.ForwardPooled(larger, interpolatePositionEncoding: true), "interpolated");

        // get_image_features, normalised, is forward's image embeddings (full vision tower).
        AltClipOutput output = model.Forward(AltClipTexts(), pixels);
        AssertSameDirections(output.ImageEmbeds, model.GetImageFeatures(pixels), "image features");
    }

    [TestMethod]
    [DataRow(1, false)]
    [DataRow(3, false)]
    [DataRow(3, true)]
    public void AltClipTextPooledRowsEqualTheFullPassBitForBit(int layers, bool int8)
    {
        using AltClipModel model = AltClipModel.CreateRandom(AltClipConfig(layers), seed: 23, int8 ? Int8 : null);
        TokenBatch tokens = AltClipTexts();
        Tensor full = model.TextModel.Forward(tokens).PoolerOutput;
        ReferenceFormulas.AssertIdentical(full, model.TextModel.ForwardPooled(tokens), "text pooler_output");
        AssertNotTrivial(full);

        AltClipOutput output = model.Forward(tokens, XClipModelTests.RandomTensor(24, 2, 3, 28, 28));
        AssertSameDirections(output.TextEmbeds, model.GetTextFeatures(tokens), "text features");
    }

    [TestMethod]
    public void FixtureModelsPoolTheSameRows()
    {
        // The transformers fixtures' checkpoints (real shapes of the parity tests), float32 and int8.
        foreach (ModelOptions? options in new[] { null, Int8 })
        {
            var xclipFixture = new ModelFixture("xclip-tiny");
            using (XClipModel xclip = XClipModel.FromPretrained(xclipFixture.Folder, options: options))
            {
                TokenBatch tokens = xclipFixture.Tokens();
                Tensor pixels = xclipFixture.Pixels();
                ReferenceFormulas.AssertIdentical(xclip.TextModel.Forward(tokens).PoolerOutput, xclip.TextModel.ForwardPooled(tokens), "X-CLIP text");
                ReferenceFormulas.AssertIdentical(xclip.VisionModel.Forward(pixels).PoolerOutput, xclip.VisionModel.ForwardPooled(pixels), "X-CLIP vision");
                ReferenceFormulas.AssertIdentical(xclip.Forward(tokens, pixels).LogitsPerVideo, xclip.LogitsPerVideo(tokens, pixels), "X-CLIP logits");
            }

            var altclipFixture = new ModelFixture("altclip-tiny");
            using (AltClipModel altclip = AltClipModel.FromPretrained(altclipFixture.Folder, options: options))
            {
                TokenBatch tokens = altclipFixture.Tokens();
                Tensor pixels = altclipFixture.Pixels();
                ReferenceFormulas.AssertIdentical(altclip.TextModel.Forward(tokens).PoolerOutput, altclip.TextModel.ForwardPooled(tokens), "AltCLIP text");
                ReferenceFormulas.AssertIdentical(
                    altclip.VisionModel.Forward(pixels).PoolerOutput, altclip.VisionModel.ForwardPooled(pixels, interpolatePositionEncoding: false), "AltCLIP vision");
            }
        }
    }

    /// <summary>Guards against comparing two empty or constant outputs: the rows must differ from each other.</summary>
    private static void AssertNotTrivial(Tensor pooled)
    {
        Assert.IsTrue(pooled.ToArray().All(float.IsFinite), "finite");
        int width = pooled.Dim(1);
        Assert.IsFalse(pooled.Span[..width].SequenceEqual(pooled.Span.Slice(width, width)), "rows differ");
    }

    /// <summary><paramref name="normalized"/> (forward's embeddings) is <c>L2Normalize(features)</c>, bit for bit: the same projection of the same pooled rows.</summary>
    private static void AssertSameDirections(Tensor normalized, Tensor features, string what)
    {
        Tensor expected = TensorOps.L2Normalize(features);
        ReferenceFormulas.AssertIdentical(normalized, expected, what);
    }
}
