using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Clip.Tests.Tasks;

[TestClass]
public sealed class ZeroShotClassifierTests
{
    /// <summary>Embeds a text to a fixed vector looked up by the text.</summary>
    private sealed class TableTextEmbedder(Dictionary<string, float[]> table) : ITextEmbedder
    {
        public int Calls;

        public int Dimension => table.First().Value.Length;

        public float[][] EmbedTexts(IReadOnlyList<string> texts)
        {
            Interlocked.Increment(ref Calls);
            return texts.Select(t => table.TryGetValue(t, out var v) ? v : throw new KeyNotFoundException(t)).ToArray();
        }
    }

    [TestMethod]
    public void SoftmaxOfScaledCosinesWithTemplatesAveraged()
    {
        var text = new TableTextEmbedder(new()
        {
            ["a photo of cat"] = [1f, 0f],
            ["a drawing of cat"] = [0f, 2f],   // normalised (0, 1); class "cat" = (1, 1)/√2
            ["a photo of dog"] = [-1f, 0f],
            ["a drawing of dog"] = [-3f, 0f],  // class "dog" = (−1, 0)
        });
        var scorer = new EmbeddingZeroShotScorer<ImageInput>(
            images => images.Select(i => i.Pixels!).ToArray(), text, logitScale: 2);
        var classifier = new ZeroShotClassifier<ImageInput>(scorer, ["cat", "dog"], ["a photo of {}", "a drawing of {}"]);

        ClassPrediction p = classifier.Classify(ImageInput.FromPixels([4f, 0f]));

        float s = 1 / MathF.Sqrt(2);
        Assert.AreEqual(2 * s, p.Logits[0], 1e-5);
        Assert.AreEqual(-2, p.Logits[1], 1e-5);
        double expected0 = Math.Exp(2 * s) / (Math.Exp(2 * s) + Math.Exp(-2));
        Assert.AreEqual(expected0, p.Probabilities[0], 1e-5);
        Assert.AreEqual("cat", p.PredictedLabel);

        // Class text embeddings are cached: a second batch does not embed the prompts again.
        classifier.Classify([ImageInput.FromPixels([0f, -1f]), ImageInput.FromPixels([-1f, 0f])]);
        Assert.AreEqual(1, text.Calls);
    }

    [TestMethod]
    public void DefaultTemplateDependsOnTheInputKind()
    {
        var scorer = new EmbeddingZeroShotScorer<VideoInput>(v => [], new TableTextEmbedder(new() { ["x"] = [1f] }), 1);
        Assert.AreEqual("a video of {}", new ZeroShotClassifier<VideoInput>(scorer, ["a"]).Templates.Single());
        var imageScorer = new EmbeddingZeroShotScorer<ImageInput>(v => [], new TableTextEmbedder(new() { ["x"] = [1f] }), 1);
        Assert.AreEqual("a photo of {}", new ZeroShotClassifier<ImageInput>(imageScorer, ["a"]).Templates.Single());
    }

    [TestMethod]
    public void TemplateWithoutPlaceholderIsRejected()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => PromptTemplates.Expand(["cat"], ["a photo"]));
        StringAssert.Contains(error.Message, "'a photo'");
    }
}
