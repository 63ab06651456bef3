using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tests.Modeling;
using Microsoft.ML.Clip.Tests.XClip;

namespace Microsoft.ML.Clip.Tests.AltClip;

/// <summary>Behaviour beyond the fixture's single call: loss, optional outputs, other configs, bad inputs, loading errors, threads.</summary>
[TestClass]
public sealed class AltClipModelTests
{
    private static readonly ModelFixture Fixture = new("altclip-tiny");
    private static readonly Lazy<AltClipModel> Tiny = new(() => AltClipModel.FromPretrained(Fixture.Folder));

    [TestMethod]
    public void ReturnLossEqualsThePlainFormulaOnTheFixtureLogits()
    {
        Tensor expected = Fixture.Expected.LoadFloat32("logits_per_text"); // [3 texts, 2 images]
        var square = new double[2, 2];
        for (int t = 0; t < 2; t++)
        {
            for (int i = 0; i < 2; i++)
            {
                square[t, i] = expected[t, i];
            }
        }

        // The first two texts alone (same padded length) give the fixture's first two rows.
        AltClipOutput output = Tiny.Value.Forward(ReferenceFormulas.TakeRows(Fixture.Tokens(), 2), Fixture.Pixels(), new ForwardOptions { ReturnLoss = true });
        Assert.IsNotNull(output.Loss);
        Assert.AreEqual(ReferenceFormulas.SymmetricCrossEntropy(square), output.Loss.Value, 1e-4);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Tiny.Value.Forward(Fixture.Tokens(), Fixture.Pixels(), new ForwardOptions { ReturnLoss = true }));
        StringAssert.Contains(ex.Message, "[3, 2]");
    }

    [TestMethod]
    public void AttentionsFollowThePaddingMaskOnly()
    {
        AltClipOutput output = Tiny.Value.Forward(Fixture.Tokens(), Fixture.Pixels(), new ForwardOptions { OutputAttentions = true });
        Tensor attention = output.TextModelOutput.Attentions[1]; // [3, 4, 9, 9]
        CollectionAssert.AreEqual(new[] { 3, 4, 9, 9 }, attention.Shape.ToArray());
        for (int i = 0; i < 9; i++)
        {
            for (int j = 0; j < 9; j++)
            {
                float w = attention[1, 2, i, j]; // text 1 has 6 real tokens
                if (j >= 6)
                {
                    Assert.AreEqual(0f, w, $"padding key {j}");
                }
                else
                {
                    Assert.IsTrue(w > 0f, "bidirectional: every real key is attended to, also later ones");
                }
            }
        }

        CollectionAssert.AreEqual(new[] { 2, 4, 17, 17 }, output.VisionModelOutput.Attentions[0].Shape.ToArray());
    }

    [TestMethod]
    public void ProjectionStateIsTheLastHiddenStateAndPooledIsItsFirstToken()
    {
        EncoderOutput text = Tiny.Value.TextModel.Forward(Fixture.Tokens());
        CollectionAssert.AreEqual(new[] { 3, 9, 24 }, text.LastHiddenState.Shape.ToArray());
        CollectionAssert.AreEqual(text.LastHiddenState.Slice(2).Slice(0).ToArray(), text.PoolerOutput.Slice(2).ToArray());
    }

    [TestMethod]
    public void InterpolationIsIdentityAtNativeSizeAndResizesOtherwise()
    {
        Tensor native = Tiny.Value.GetImageFeatures(Fixture.Pixels());
        Tensor same = Tiny.Value.GetImageFeatures(Fixture.Pixels(), new ForwardOptions { InterpolatePositionEncoding = true });
        ReferenceFormulas.AssertIdentical(native, same, "image features");

        Tensor large = XClipModelTests.RandomTensor(4, 1, 3, 56, 40); // 7 × 5 patches
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Tiny.Value.VisionModel.Forward(large));
        StringAssert.Contains(ex.Message, "56*40");
        EncoderOutput vision = Tiny.Value.VisionModel.Forward(large, new ForwardOptions { InterpolatePositionEncoding = true });
        CollectionAssert.AreEqual(new[] { 1, 36, 32 }, vision.LastHiddenState.Shape.ToArray());
    }

    [TestMethod]
    public void AnotherConfigWithRandomWeightsRunsWithTheRightShapes()
    {
        var config = new AltClipConfig
        {
            ProjectionDim = 12,
            TextConfig = new AltClipTextConfig { VocabSize = 50, HiddenSize = 16, NumHiddenLayers = 3, NumAttentionHeads = 2, IntermediateSize = 20, MaxPositionEmbeddings = 12, ProjectDim = 10 },
            VisionConfig = new AltClipVisionConfig { HiddenSize = 18, IntermediateSize = 22, NumHiddenLayers = 4, NumAttentionHeads = 3, ImageSize = 28, PatchSize = 14 },
        };
        using AltClipModel model = AltClipModel.CreateRandom(config, seed: 3);
        var tokens = new TokenBatch(new long[,] { { 0, 5, 6, 7, 2 }, { 0, 9, 2, 1, 1 } }, new long[,] { { 1, 1, 1, 1, 1 }, { 1, 1, 1, 0, 0 } });
        Tensor pixels = XClipModelTests.RandomTensor(8, 3, 3, 28, 28);
        AltClipOutput output = model.Forward(tokens, pixels, new ForwardOptions { OutputHiddenStates = true });
        CollectionAssert.AreEqual(new[] { 3, 2 }, output.LogitsPerImage.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 2, 3 }, output.LogitsPerText.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 2, 12 }, output.TextEmbeds.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 3, 12 }, output.ImageEmbeds.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 2, 5, 10 }, output.TextModelOutput.LastHiddenState.Shape.ToArray());
        Assert.AreEqual(4, output.TextModelOutput.HiddenStates.Count);
        CollectionAssert.AreEqual(new[] { 2, 5, 16 }, output.TextModelOutput.HiddenStates[3].Shape.ToArray());
        Assert.AreEqual(5, output.VisionModelOutput.HiddenStates.Count);
        CollectionAssert.AreEqual(new[] { 3, 5, 18 }, output.VisionModelOutput.LastHiddenState.Shape.ToArray());
        Assert.IsTrue(output.LogitsPerImage.ToArray().All(float.IsFinite));

        // Padding the second text further changes nothing: position ids and the mask ignore padding.
        var padded = new TokenBatch(new long[,] { { 0, 5, 6, 7, 2, 1, 1 }, { 0, 9, 2, 1, 1, 1, 1 } }, new long[,] { { 1, 1, 1, 1, 1, 0, 0 }, { 1, 1, 1, 0, 0, 0, 0 } });
        TensorAssertClose(model.GetTextFeatures(tokens), model.GetTextFeatures(padded));
    }

    [TestMethod]
    public void BadInputsAreRejectedUpFront()
    {
        var tooLong = new TokenBatch(Enumerable.Repeat(5L, 40).ToArray(), null, 1, 40); // positions 2..41 ≥ 40
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Tiny.Value.GetTextFeatures(tooLong));
        StringAssert.Contains(ex.Message, "max_position_embeddings 40");
        StringAssert.Contains(ex.Message, "38 tokens");
        Tiny.Value.GetTextFeatures(new TokenBatch(Enumerable.Repeat(5L, 38).ToArray(), null, 1, 38));

        ex = Assert.ThrowsExactly<ArgumentException>(() => Tiny.Value.GetTextFeatures(new TokenBatch(new long[,] { { 0, 1000, 2 } })));
        StringAssert.Contains(ex.Message, "1000");
        ex = Assert.ThrowsExactly<ArgumentException>(() => Tiny.Value.GetImageFeatures(XClipModelTests.RandomTensor(1, 1, 3, 3, 32, 32)));
        StringAssert.Contains(ex.Message, "[1, 3, 3, 32, 32]");
    }

    [TestMethod]
    public void LoadingChecksKeysButIgnoresBuffersAndTheRobertaPooler()
    {
        AltClipConfig config = AltClipConfig.FromFile(Path.Combine(Fixture.Folder, "config.json"));
        string weights = Path.Combine(Fixture.Folder, "model.safetensors");
        using AltClipModel tolerant = AltClipModel.FromWeights(config, new EditedTensorStore(SafeTensorsFile.Open(weights))
            .With("text_model.roberta.pooler.dense.weight", new Tensor(32, 32))
            .With("text_model.roberta.embeddings.position_ids", new Tensor(1, 40))
            .With("text_model.roberta.embeddings.token_type_ids", new Tensor(1, 40)));
        ReferenceFormulas.AssertIdentical(Tiny.Value.GetTextFeatures(Fixture.Tokens()), tolerant.GetTextFeatures(Fixture.Tokens()), "text features");

        var ex = Assert.ThrowsExactly<InvalidDataException>(() =>
            AltClipModel.FromWeights(config, new EditedTensorStore(SafeTensorsFile.Open(weights)).Without("vision_model.pre_layrnorm.weight")));
        StringAssert.Contains(ex.Message, "vision_model.pre_layrnorm.weight");
        ex = Assert.ThrowsExactly<InvalidDataException>(() =>
            AltClipModel.FromWeights(config with { ProjectionDim = 30 }, SafeTensorsFile.Open(weights)));
        StringAssert.Contains(ex.Message, "[30, ");
        ex = Assert.ThrowsExactly<InvalidDataException>(() =>
            AltClipModel.FromWeights(config, new EditedTensorStore(SafeTensorsFile.Open(weights)).With("text_model.lm_head.bias", new Tensor(3))));
        StringAssert.Contains(ex.Message, "text_model.lm_head.bias");
    }

    [TestMethod]
    public void ConcurrentCallsOnOneModelGiveTheSequentialResults()
    {
        AltClipModel model = Tiny.Value;
        float[] expected = model.Forward(Fixture.Tokens(), Fixture.Pixels()).LogitsPerImage.ToArray();
        var results = new float[16][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = model.Forward(Fixture.Tokens(), Fixture.Pixels()).LogitsPerImage.ToArray());
        foreach (float[] result in results)
        {
            CollectionAssert.AreEqual(expected, result);
        }
    }

    private static void TensorAssertClose(Tensor expected, Tensor actual) =>
        Microsoft.ML.Clip.Testing.TensorAssert.Close(expected, actual, ModelFixture.HiddenTolerance, "features");
}
