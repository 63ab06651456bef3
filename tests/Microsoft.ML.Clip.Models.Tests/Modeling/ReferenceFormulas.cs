using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Tests.Modeling;

/// <summary>Plain, obviously-correct formulas to check the models against.</summary>
internal static class ReferenceFormulas
{
    /// <summary>CLIP's loss: (mean_i CE(row i, i) + mean_j CE(column j, j)) / 2, written out naively in double.</summary>
    public static double SymmetricCrossEntropy(double[,] logits)
    {
        int n = logits.GetLength(0);
        double rows = 0, columns = 0;
        for (int i = 0; i < n; i++)
        {
            double rowSum = 0, columnSum = 0;
            for (int j = 0; j < n; j++)
            {
                rowSum += Math.Exp(logits[i, j]);
                columnSum += Math.Exp(logits[j, i]);
            }

            rows += -Math.Log(Math.Exp(logits[i, i]) / rowSum);
            columns += -Math.Log(Math.Exp(logits[i, i]) / columnSum);
        }

        return ((rows / n) + (columns / n)) / 2;
    }

    /// <summary>Rows <paramref name="rows"/> of a [batch, length] token batch.</summary>
    public static Microsoft.ML.Clip.Modeling.TokenBatch TakeRows(Microsoft.ML.Clip.Modeling.TokenBatch tokens, int rows) =>
        new(tokens.InputIds[..(rows * tokens.Length)], tokens.AttentionMask[..(rows * tokens.Length)], rows, tokens.Length);

    /// <summary>Asserts two tensors are bit-identical.</summary>
    public static void AssertIdentical(Tensor expected, Tensor actual, string what)
    {
        CollectionAssert.AreEqual(expected.Shape.ToArray(), actual.Shape.ToArray(), what + ": shape");
        CollectionAssert.AreEqual(expected.ToArray(), actual.ToArray(), what + ": values");
    }
}
