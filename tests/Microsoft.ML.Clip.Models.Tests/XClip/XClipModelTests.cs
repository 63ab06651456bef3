using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tests.Modeling;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Tests.XClip;

/// <summary>Behaviour beyond the fixture's single call: loss, optional outputs, other configs, bad inputs, loading errors, threads.</summary>
[TestClass]
public sealed class XClipModelTests
{
    private static readonly ModelFixture Fixture = new("xclip-tiny");
    private static readonly Lazy<XClipModel> Tiny = new(() => XClipModel.FromPretrained(Fixture.Folder));

    /// <summary>A small non-fixture shape: patch 16 on 48 px (9 patches), 5 frames, 3 vision layers, 2 MIT layers, 3 prompt layers.</summary>
    internal static XClipConfig OtherConfig() => new()
    {
        ProjectionDim = 16,
        PromptLayers = 3,
        PromptNumAttentionHeads = 2,
        TextConfig = new XClipTextConfig { VocabSize = 300, HiddenSize = 24, IntermediateSize = 40, NumHiddenLayers = 3, NumAttentionHeads = 3, MaxPositionEmbeddings = 20 },
        VisionConfig = new XClipVisionConfig
        {
            HiddenSize = 20, IntermediateSize = 30, NumHiddenLayers = 3, NumAttentionHeads = 5, ImageSize = 48, PatchSize = 16, NumFrames = 5,
            MitHiddenSize = 16, MitIntermediateSize = 20, MitNumHiddenLayers = 2, MitNumAttentionHeads = 4,
        },
    };

    [TestMethod]
    public void ReturnLossEqualsThePlainFormulaOnTheFixtureLogits()
    {
        // Texts are independent of each other (the prompt generator attends from each text to the video only), so the first two
        // texts give the fixture's first two logit columns: a square 2×2 problem whose loss we compute naively from the fixture.
        Tensor expected = Fixture.Expected.LoadFloat32("logits_per_video"); // [2 videos, 3 texts]
        var square = new double[2, 2];
        for (int v = 0; v < 2; v++)
        {
            for (int t = 0; t < 2; t++)
            {
                square[t, v] = expected[v, t]; // logits_per_text[t, v]
            }
        }

        double reference = ReferenceFormulas.SymmetricCrossEntropy(square);
        XClipOutput output = Tiny.Value.Forward(ReferenceFormulas.TakeRows(Fixture.Tokens(), 2), Fixture.Pixels(), new ForwardOptions { ReturnLoss = true });
        Assert.IsNotNull(output.Loss);
        Assert.AreEqual(reference, output.Loss.Value, 1e-4, "loss");
        Assert.AreEqual(output.Loss.Value, output.ToNamedTensors()["loss"].Span[0]);
        Assert.IsNull(Tiny.Value.Forward(Fixture.Tokens(), Fixture.Pixels()).Loss, "no loss unless asked");
    }

    [TestMethod]
    public void ReturnLossNeedsAsManyTextsAsVideos()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Tiny.Value.Forward(Fixture.Tokens(), Fixture.Pixels(), new ForwardOptions { ReturnLoss = true }));
        StringAssert.Contains(ex.Message, "[3, 2]");
    }

    [TestMethod]
    public void AttentionsAndHiddenStatesHaveTheReferenceShapes()
    {
        XClipOutput output = Tiny.Value.Forward(Fixture.Tokens(), Fixture.Pixels(), new ForwardOptions { OutputAttentions = true, OutputHiddenStates = true });
        Assert.AreEqual(2, output.TextModelOutput.Attentions.Count);
        CollectionAssert.AreEqual(new[] { 3, 4, 8, 8 }, output.TextModelOutput.Attentions[0].Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 6, 4, 18, 18 }, output.VisionModelOutput.Attentions[1].Shape.ToArray(), "16 patches + class + message token");
        CollectionAssert.AreEqual(new[] { 2, 4, 3, 3 }, output.MitOutput.Attentions[0].Shape.ToArray());
        Assert.AreEqual(3, output.VisionModelOutput.HiddenStates.Count);

        // Causal + padding: text 2 (3 real tokens) gives no weight to padding keys or future keys, and each row sums to 1.
        Tensor textAttention = output.TextModelOutput.Attentions[0];
        for (int i = 0; i < 8; i++)
        {
            float sum = 0;
            for (int j = 0; j < 8; j++)
            {
                float w = textAttention[2, 1, i, j];
                sum += w;
                if (j > i || j >= 3)
                {
                    Assert.AreEqual(0f, w, $"query {i} key {j}");
                }
            }

            Assert.AreEqual(1f, sum, 1e-5f);
        }

        IReadOnlyDictionary<string, Tensor> named = output.ToNamedTensors();
        Assert.IsTrue(named.ContainsKey("vision_model_output.attentions.1"));
        Assert.IsTrue(named.ContainsKey("mit_output.hidden_states.1"));

        // Asking for extras changes nothing else.
        XClipOutput plain = Tiny.Value.Forward(Fixture.Tokens(), Fixture.Pixels());
        ReferenceFormulas.AssertIdentical(plain.LogitsPerVideo, output.LogitsPerVideo, "logits");
        Assert.AreEqual(0, plain.TextModelOutput.HiddenStates.Count);
    }

    [TestMethod]
    public void InterpolatingAtTheNativeSizeChangesNothing()
    {
        var options = new ForwardOptions { InterpolatePositionEncoding = true };
        XClipOutput interpolated = Tiny.Value.Forward(Fixture.Tokens(), Fixture.Pixels(), options);
        XClipOutput native = Tiny.Value.Forward(Fixture.Tokens(), Fixture.Pixels());
        ReferenceFormulas.AssertIdentical(native.LogitsPerVideo, interpolated.LogitsPerVideo, "logits");
        ReferenceFormulas.AssertIdentical(native.VisionModelOutput.LastHiddenState, interpolated.VisionModelOutput.LastHiddenState, "vision");
    }

    [TestMethod]
    public void OtherResolutionsNeedInterpolationAndGiveTheirPatchCount()
    {
        var pixels = RandomTensor(7, 2, 3, 3, 48, 40); // 6 × 5 patches of 8 px
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Tiny.Value.Forward(Fixture.Tokens(), pixels));
        StringAssert.Contains(ex.Message, "48*40");
        StringAssert.Contains(ex.Message, "32*32");

        XClipOutput output = Tiny.Value.Forward(Fixture.Tokens(), pixels, new ForwardOptions { InterpolatePositionEncoding = true });
        CollectionAssert.AreEqual(new[] { 6, 31, 32 }, output.VisionModelOutput.LastHiddenState.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 2, 3, 24 }, output.TextEmbeds.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 2, 3 }, output.LogitsPerVideo.Shape.ToArray());
        Assert.IsTrue(output.LogitsPerVideo.ToArray().All(float.IsFinite));
    }

    [TestMethod]
    public void AnotherConfigWithRandomWeightsRunsWithTheRightShapes()
    {
        XClipConfig config = OtherConfig();
        using XClipModel model = XClipModel.CreateRandom(config, seed: 5);
        var tokens = new TokenBatch(new long[,] { { 298, 7, 9, 299, 299 }, { 298, 5, 299, 299, 299 }, { 298, 1, 2, 3, 299 }, { 298, 299, 299, 299, 299 } },
            new long[,] { { 1, 1, 1, 1, 0 }, { 1, 1, 1, 0, 0 }, { 1, 1, 1, 1, 1 }, { 1, 1, 0, 0, 0 } });
        Tensor pixels = RandomTensor(3, 3, 5, 3, 48, 48);
        XClipOutput output = model.Forward(tokens, pixels, new ForwardOptions { OutputHiddenStates = true, OutputAttentions = true });

        CollectionAssert.AreEqual(new[] { 3, 4 }, output.LogitsPerVideo.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 4, 3 }, output.LogitsPerText.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 3, 4, 16 }, output.TextEmbeds.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 3, 16 }, output.VideoEmbeds.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 15, 10, 20 }, output.VisionModelOutput.LastHiddenState.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 3, 5, 16 }, output.MitOutput.LastHiddenState.Shape.ToArray());
        Assert.AreEqual(4, output.TextModelOutput.HiddenStates.Count);
        Assert.AreEqual(4, output.VisionModelOutput.HiddenStates.Count);
        Assert.AreEqual(3, output.MitOutput.HiddenStates.Count);
        CollectionAssert.AreEqual(new[] { 15, 5, 11, 11 }, output.VisionModelOutput.Attentions[0].Shape.ToArray());
        for (int i = 0; i < output.TextEmbeds.Length; i += 16)
        {
            Assert.AreEqual(1.0, Math.Sqrt(output.TextEmbeds.Span.Slice(i, 16).ToArray().Sum(v => (double)v * v)), 1e-5, "text embeds are unit vectors");
        }

        CollectionAssert.AreEqual(new[] { 3, 16 }, model.GetVideoFeatures(pixels).Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 4, 16 }, model.GetTextFeatures(tokens).Shape.ToArray());

        using XClipModel same = XClipModel.CreateRandom(config, seed: 5);
        ReferenceFormulas.AssertIdentical(output.LogitsPerVideo, same.Forward(tokens, pixels).LogitsPerVideo, "same seed, same model");
    }

    [TestMethod]
    public void MessageTokensMixOnlyFramesOfTheSameVideo()
    {
        // Changing a frame of video 1 must leave every output of video 0 untouched.
        Tensor pixels = Fixture.Pixels();
        Tensor changed = pixels.Clone();
        changed.Slice(1).Slice(2).Span.Fill(0.5f);
        Tensor before = Tiny.Value.GetVideoFeatures(pixels);
        Tensor after = Tiny.Value.GetVideoFeatures(changed);
        CollectionAssert.AreEqual(before.Slice(0).ToArray(), after.Slice(0).ToArray());
        CollectionAssert.AreNotEqual(before.Slice(1).ToArray(), after.Slice(1).ToArray());
    }

    [TestMethod]
    public void BadInputsAreRejectedUpFrontWithTheNumbers()
    {
        XClipModel model = Tiny.Value;
        var ex = Assert.ThrowsExactly<ArgumentException>(() => model.Forward(Fixture.Tokens(), RandomTensor(1, 2, 4, 3, 32, 32)));
        StringAssert.Contains(ex.Message, "4 frames");
        StringAssert.Contains(ex.Message, "num_frames = 3");
        ex = Assert.ThrowsExactly<ArgumentException>(() => model.GetVideoFeatures(RandomTensor(1, 6, 3, 32, 32)));
        StringAssert.Contains(ex.Message, "[6, 3, 32, 32]");
        ex = Assert.ThrowsExactly<ArgumentException>(() => model.VisionModel.Forward(RandomTensor(1, 4, 3, 32, 32)));
        StringAssert.Contains(ex.Message, "num_frames = 3");
        ex = Assert.ThrowsExactly<ArgumentException>(() => model.GetVideoFeatures(RandomTensor(1, 1, 3, 1, 32, 32)));
        StringAssert.Contains(ex.Message, "1 channels");

        var tooLong = new TokenBatch(new long[1, 78], null);
        ex = Assert.ThrowsExactly<ArgumentException>(() => model.GetTextFeatures(tooLong));
        StringAssert.Contains(ex.Message, "78");
        StringAssert.Contains(ex.Message, "77");
        ex = Assert.ThrowsExactly<ArgumentException>(() => model.GetTextFeatures(new TokenBatch(new long[,] { { 998, 1000 } })));
        StringAssert.Contains(ex.Message, "1000");
        Assert.ThrowsExactly<ArgumentException>(() => new TokenBatch(new long[,] { { 1, 2 } }, new long[,] { { 1, 1, 1 } }));
    }

    [TestMethod]
    public void UnexpectedMissingOrMisshapedWeightsAreLoadErrors()
    {
        XClipConfig config = XClipConfig.FromFile(Path.Combine(Fixture.Folder, "config.json"));
        string weights = Path.Combine(Fixture.Folder, "model.safetensors");

        var ex = Assert.ThrowsExactly<InvalidDataException>(() =>
            XClipModel.FromWeights(config, new EditedTensorStore(SafeTensorsFile.Open(weights)).With("vision_model.encoder.layers.9.extra.weight", new Tensor(2))));
        StringAssert.Contains(ex.Message, "vision_model.encoder.layers.9.extra.weight");

        ex = Assert.ThrowsExactly<InvalidDataException>(() =>
            XClipModel.FromWeights(config, new EditedTensorStore(SafeTensorsFile.Open(weights)).Without("prompts_generator.alpha")));
        StringAssert.Contains(ex.Message, "prompts_generator.alpha");

        ex = Assert.ThrowsExactly<InvalidDataException>(() => XClipModel.FromWeights(config with { PromptLayers = 3 }, SafeTensorsFile.Open(weights)));
        StringAssert.Contains(ex.Message, "prompts_generator.decoder.2");

        // Buffers transformers ignores are accepted.
        using XClipModel withBuffers = XClipModel.FromWeights(config,
            new EditedTensorStore(SafeTensorsFile.Open(weights)).With("text_model.embeddings.position_ids", new Tensor(1, 77)));
        ReferenceFormulas.AssertIdentical(Tiny.Value.GetTextFeatures(Fixture.Tokens()), withBuffers.GetTextFeatures(Fixture.Tokens()), "text features");
    }

    [TestMethod]
    public void ConcurrentCallsOnOneModelGiveTheSequentialResults()
    {
        XClipModel model = Tiny.Value;
        Tensor pixels = Fixture.Pixels();
        TokenBatch tokens = Fixture.Tokens();
        float[] expected = model.Forward(tokens, pixels).LogitsPerVideo.ToArray();
        var results = new float[16][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = model.Forward(tokens, pixels).LogitsPerVideo.ToArray());
        foreach (float[] result in results)
        {
            CollectionAssert.AreEqual(expected, result);
        }
    }

    internal static Tensor RandomTensor(int seed, params int[] shape)
    {
        var random = new Random(seed);
        var tensor = new Tensor(shape);
        for (int i = 0; i < tensor.Length; i++)
        {
            tensor.Span[i] = (float)((random.NextDouble() * 4) - 2);
        }

        return tensor;
    }
}
