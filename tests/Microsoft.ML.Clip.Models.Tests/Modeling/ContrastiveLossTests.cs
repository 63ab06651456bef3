using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Tests.Modeling;

[TestClass]
public sealed class ContrastiveLossTests
{
    [TestMethod]
    public void MatchesThePlainFormula()
    {
        var values = new float[] { 12.5f, -3f, 4f, 0.5f, 20f, -7f, 9f, 9f, 30f };
        var reference = new double[3, 3];
        for (int i = 0; i < 9; i++)
        {
            reference[i / 3, i % 3] = values[i];
        }

        Assert.AreEqual(ReferenceFormulas.SymmetricCrossEntropy(reference), ContrastiveLoss.Compute(new Tensor(values, 3, 3)), 1e-5);
    }

    [TestMethod]
    public void PerfectlySeparatedPairsHaveNearZeroLossAndNonSquareIsAnError()
    {
        Assert.AreEqual(0f, ContrastiveLoss.Compute(new Tensor(new float[] { 100, 0, 0, 100 }, 2, 2)), 1e-6f);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => ContrastiveLoss.Compute(new Tensor(2, 3)));
        StringAssert.Contains(ex.Message, "[2, 3]");
    }
}
