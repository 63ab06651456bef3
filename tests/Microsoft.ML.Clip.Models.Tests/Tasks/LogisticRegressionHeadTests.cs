using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Clip.Tests.Tasks;

[TestClass]
public sealed class LogisticRegressionHeadTests
{
    [TestMethod]
    public void MatchesTheClosedFormOptimumOfASymmetricProblem()
    {
        // Two points x = −1 (class 0) and x = +1 (class 1). By symmetry b = 0 and W = [−a, a]; the loss
        // −log σ(2a) + λa² is stationary where λa = 1 − σ(2a). Solve that by bisection.
        const double lambda = 0.1;
        double lo = 0, hi = 10;
        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2;
            double residual = (lambda * mid) - (1 - (1 / (1 + Math.Exp(-2 * mid))));
            if (residual > 0)
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        double a = (lo + hi) / 2;
        var head = LogisticRegressionHead.Train(
            [[-1f], [1f]], [0, 1],
            options: new LogisticRegressionOptions { L2Regularization = lambda, NormalizeInputs = false, GradientTolerance = 1e-9 });

        Assert.IsTrue(head.Training.Converged);
        Assert.AreEqual(-a, head.Weights[0], 1e-5);
        Assert.AreEqual(a, head.Weights[1], 1e-5);
        Assert.AreEqual(0, head.Biases[0], 1e-5);
        Assert.AreEqual(0, head.Biases[1], 1e-5);
        Assert.AreEqual(1 / (1 + Math.Exp(-2 * a)), head.Predict([1f]).Probabilities[1], 1e-5);
    }

    [TestMethod]
    public void SeparatesWellSeparatedClustersAndGeneralises()
    {
        (float[][] train, int[] trainY) = SyntheticEmbeddings.Clusters(classes: 4, perClass: 5, dimension: 16, noise: 0.3f, seed: 1);
        (float[][] test, int[] testY) = SyntheticEmbeddings.Clusters(classes: 4, perClass: 20, dimension: 16, noise: 0.3f, seed: 2);
        var head = LogisticRegressionHead.Train(train, trainY, labelNames: ["a", "b", "c", "d"]);

        Assert.IsTrue(head.Training.Converged, $"gradient {head.Training.GradientNorm}");
        Assert.AreEqual(4, head.ClassCount);
        for (int i = 0; i < test.Length; i++)
        {
            ClassPrediction p = head.Predict(test[i]);
            Assert.AreEqual(testY[i], p.PredictedIndex, $"test example {i}");
            Assert.AreEqual(new[] { "a", "b", "c", "d" }[testY[i]], p.PredictedLabel);
            Assert.AreEqual(1.0, p.Probabilities.Sum(), 1e-5);
        }
    }

    [TestMethod]
    public void TrainingIsDeterministic()
    {
        (float[][] x, int[] y) = SyntheticEmbeddings.Clusters(3, 4, 8, 0.5f, seed: 3);
        var first = LogisticRegressionHead.Train(x, y);
        var second = LogisticRegressionHead.Train(x, y);
        CollectionAssert.AreEqual(first.Weights.ToArray(), second.Weights.ToArray());
        CollectionAssert.AreEqual(first.Biases.ToArray(), second.Biases.ToArray());
    }

    [TestMethod]
    public void AClassWithoutExamplesIsRejectedByName()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            LogisticRegressionHead.Train([[1f, 0f], [0f, 1f]], [0, 2], labelNames: ["cat", "dog", "bird"]));
        StringAssert.Contains(error.Message, "'dog'");
    }

    [TestMethod]
    public void MismatchedLabelCountIsRejected()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => LogisticRegressionHead.Train([[1f], [2f]], [0]));
        StringAssert.Contains(error.Message, "2 embeddings but 1 labels");
    }
}
