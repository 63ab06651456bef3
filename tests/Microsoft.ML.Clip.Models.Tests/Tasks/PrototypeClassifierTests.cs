using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Clip.Tests.Tasks;

[TestClass]
public sealed class PrototypeClassifierTests
{
    [TestMethod]
    public void PrototypeIsTheRenormalisedMeanOfNormalisedExamples()
    {
        // Class 0: (2, 0) and (0, 3) → normalised (1, 0), (0, 1) → mean direction (1, 1)/√2.
        var classifier = PrototypeClassifier.Fit([[2f, 0f], [0f, 3f], [-1f, 0f]], [0, 0, 1], logitScale: 10);
        float s = 1 / MathF.Sqrt(2);
        CollectionAssert.AreEqual(new[] { s, s }, classifier.Prototype(0).ToArray(), new FloatComparer(1e-6f));
        CollectionAssert.AreEqual(new[] { -1f, 0f }, classifier.Prototype(1).ToArray(), new FloatComparer(1e-6f));

        // Logits are 10 · cos: for (1, 0): 10/√2 and −10.
        float[] logits = classifier.Logits([5f, 0f]);
        Assert.AreEqual(10 * s, logits[0], 1e-5);
        Assert.AreEqual(-10, logits[1], 1e-5);
    }

    [TestMethod]
    public void ClassifiesSyntheticClustersFromOneShot()
    {
        (float[][] train, int[] trainY) = SyntheticEmbeddings.Clusters(5, 1, 12, 0.2f, seed: 4);
        (float[][] test, int[] testY) = SyntheticEmbeddings.Clusters(5, 10, 12, 0.2f, seed: 5);
        var classifier = PrototypeClassifier.Fit(train, trainY);
        for (int i = 0; i < test.Length; i++)
        {
            Assert.AreEqual(testY[i], classifier.Predict(test[i]).PredictedIndex, $"test example {i}");
        }
    }

    [TestMethod]
    public void BlendInterpolatesBetweenZeroShotAndPrototypes()
    {
        var prototypes = PrototypeClassifier.Fit([[1f, 0f], [0f, 1f]], [0, 1], labelNames: ["x", "y"], logitScale: 10);
        float[][] text = [[0f, 1f], [1f, 0f]]; // text says the opposite
        float[] query = [0.8f, 0.6f];

        var zeroShot = new PrototypeZeroShotBlend(prototypes, text, prototypeWeight: 0);
        var onlyPrototypes = new PrototypeZeroShotBlend(prototypes, text, prototypeWeight: 1);
        var half = new PrototypeZeroShotBlend(prototypes, text, prototypeWeight: 0.25f);

        CollectionAssert.AreEqual(new[] { 6f, 8f }, zeroShot.Logits(query), new FloatComparer(1e-5f));
        CollectionAssert.AreEqual(new[] { 8f, 6f }, onlyPrototypes.Logits(query), new FloatComparer(1e-5f));
        CollectionAssert.AreEqual(new[] { (0.25f * 8) + (0.75f * 6), (0.25f * 6) + (0.75f * 8) }, half.Logits(query), new FloatComparer(1e-5f));
        Assert.AreEqual("y", half.Predict(query).PredictedLabel);
        Assert.AreEqual("x", onlyPrototypes.Predict(query).PredictedLabel);
    }

    [TestMethod]
    public void BlendRejectsMismatchedClassCounts()
    {
        var prototypes = PrototypeClassifier.Fit([[1f, 0f], [0f, 1f]], [0, 1]);
        Assert.ThrowsExactly<ArgumentException>(() => new PrototypeZeroShotBlend(prototypes, [[1f, 0f]]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new PrototypeZeroShotBlend(prototypes, [[1f, 0f], [0f, 1f]], 1.5f));
    }

    private sealed class FloatComparer(float tolerance) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => Math.Abs((float)x! - (float)y!) <= tolerance ? 0 : 1;
    }
}
