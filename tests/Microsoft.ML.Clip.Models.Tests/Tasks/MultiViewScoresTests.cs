using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Clip.Tests.Tasks;

/// <summary>The multi-view zero-shot rule: a video's probabilities are the mean of its clips' softmax (X-CLIP's multi-view test).</summary>
[TestClass]
public sealed class MultiViewScoresTests
{
    [TestMethod]
    public void OneViewKeepsTheModelsLogits()
    {
        float[][] logits = [[1.5f, -2f, 30f], [0f, 0f, 0f]];
        float[][] combined = MultiViewScores.Combine(logits, [1, 1]);
        CollectionAssert.AreEqual(logits[0], combined[0]);
        CollectionAssert.AreEqual(logits[1], combined[1]);
    }

    [TestMethod]
    public void SeveralViewsGiveTheMeanOfTheirSoftmax()
    {
        float[][] logits = [[10f, 0f, 0f], [10f, 0f, 1f], [0f, 40f, 0f], [3f, 1f, 2f]];
        float[][] combined = MultiViewScores.Combine(logits, [3, 1]);
        Assert.AreEqual(2, combined.Length);

        double[] expected = new double[3];
        for (int v = 0; v < 3; v++)
        {
            double[] e = logits[v].Select(l => Math.Exp(l)).ToArray();
            for (int c = 0; c < 3; c++)
            {
                expected[c] += e[c] / e.Sum() / 3;
            }
        }

        float[] probabilities = EmbeddingMath.Softmax(combined[0]);
        for (int c = 0; c < 3; c++)
        {
            Assert.AreEqual(expected[c], probabilities[c], 1e-6, $"class {c}");
        }

        // The mean of probabilities, not the softmax of the mean logits (which would favour class 1: 13.3 vs 6.7).
        float[] ofMeanLogits = EmbeddingMath.Softmax([20f / 3, 40f / 3, 1f / 3]);
        Assert.IsTrue(probabilities[0] > probabilities[1] && ofMeanLogits[1] > ofMeanLogits[0], "the two rules rank differently here");
        CollectionAssert.AreEqual(logits[3], combined[1], "the next input's single view is untouched");
    }

    [TestMethod]
    public void AClassFarBelowTheOthersStaysFinite()
    {
        float[][] combined = MultiViewScores.Combine([[100f, -150f], [90f, -140f]], [2]);
        Assert.IsTrue(combined[0].All(float.IsFinite), string.Join(", ", combined[0]));
        Assert.IsTrue(combined[0][1] < -200f);
    }
}
