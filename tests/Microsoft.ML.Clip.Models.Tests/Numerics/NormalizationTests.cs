using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Tests.Numerics;

/// <summary>Layer norm, softmax, L2 normalisation and means against double-precision references.</summary>
[TestClass]
public sealed class NormalizationTests
{
    private static readonly int[] Widths = [1, 3, 7, 17, 33, 50, 77, 257, 768, 1024, 3072];

    [TestMethod]
    public void LayerNormMatchesReference()
    {
        foreach (int width in Widths)
        {
            const int rows = 3;
            // An offset and a spread per row, so the mean matters.
            float[] x = NumericsReference.Random(rows * width, width).Select((v, i) => (v * (1 + (i / width))) + (2 * (i / width))).ToArray();
            float[] gamma = NumericsReference.Random(width, 2 * width);
            float[] beta = NumericsReference.Random(width, (3 * width) + 1);
            var norm = new LayerNorm(new Tensor(gamma, width), new Tensor(beta, width), 1e-5f);
            float[] y = new float[x.Length];
            norm.Forward(x, y, rows);

            double[] expected = new double[x.Length];
            double[] scale = new double[x.Length];
            for (int r = 0; r < rows; r++)
            {
                double mean = 0, variance = 0;
                for (int i = 0; i < width; i++)
                {
                    mean += x[(r * width) + i];
                }

                mean /= width;
                for (int i = 0; i < width; i++)
                {
                    variance += Math.Pow(x[(r * width) + i] - mean, 2);
                }

                double inverseStd = 1 / Math.Sqrt((variance / width) + 1e-5);
                for (int i = 0; i < width; i++)
                {
                    double normalised = (x[(r * width) + i] - mean) * inverseStd;
                    expected[(r * width) + i] = (normalised * gamma[i]) + beta[i];
                    scale[(r * width) + i] = Math.Abs(normalised * gamma[i]) + Math.Abs(beta[i]);
                }
            }

            // Relative to |x̂·γ| + |β|: the float result is a sum of those two terms.
            NumericsReference.AssertClose(y, expected, scale, 1e-5, 0, $"layer norm width {width}");

            // In place gives the same bits.
            float[] inPlace = (float[])x.Clone();
            norm.Forward(inPlace, inPlace, rows);
            NumericsReference.AssertIdentical(y, inPlace, "in place");
        }
    }

    [TestMethod]
    public void SoftmaxMatchesReference()
    {
        foreach (int width in Widths)
        {
            const int rows = 4;
            float[] x = NumericsReference.Random(rows * width, width + 7).Select(v => v * 30).ToArray();
            x[0] = float.NegativeInfinity; // a masked entry gets exactly 0
            float[] y = (float[])x.Clone();
            Softmax.Rows(y, rows, width);
            double[] expected = new double[x.Length];
            for (int r = 0; r < rows; r++)
            {
                double max = double.NegativeInfinity, sum = 0;
                for (int i = 0; i < width; i++)
                {
                    max = Math.Max(max, x[(r * width) + i]);
                }

                for (int i = 0; i < width; i++)
                {
                    sum += Math.Exp(x[(r * width) + i] - max);
                }

                for (int i = 0; i < width; i++)
                {
                    expected[(r * width) + i] = Math.Exp(x[(r * width) + i] - max) / sum;
                }
            }

            if (width == 1)
            {
                Assert.IsTrue(float.IsNaN(y[0]), "a row of only -∞ is NaN, as in torch");
                y[0] = 0;
                expected[0] = 0;
            }
            else
            {
                Assert.AreEqual(0f, y[0]);
            }

            NumericsReference.AssertClose(y, expected, expected, 1e-5, 0, $"softmax width {width}");
        }
    }

    [TestMethod]
    public void SoftmaxWideAndVectorPathsGiveTheSameBits()
    {
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            return; // only the Vector<T> path exists on this CPU; SoftmaxMatchesReference covers it
        }

        foreach (int width in Widths)
        {
            float[] x = NumericsReference.Random(width, width + 11).Select(v => v * 40).ToArray();
            float[] wide = (float[])x.Clone();
            float[] narrow = (float[])x.Clone();
            Softmax.Row(wide, 1f, wide: true);
            Softmax.Row(narrow, 1f, wide: false);

            // Same exponentials bit for bit; only the order of the float sum differs (16 vs 8 lanes), so compare to 1e-6.
            for (int i = 0; i < width; i++)
            {
                Assert.AreEqual(wide[i], narrow[i], 1e-6f * wide[i], $"width {width}, element {i}");
            }
        }
    }

    [TestMethod]
    public void L2NormalizeGivesUnitRowsInTheSameDirection()
    {
        foreach (int width in Widths)
        {
            float[] x = NumericsReference.Random(2 * width, width + 3);
            float[] y = (float[])x.Clone();
            Vectors.L2Normalize(y, 2, width);
            double[] expected = new double[x.Length];
            for (int r = 0; r < 2; r++)
            {
                double norm = Math.Sqrt(x.Skip(r * width).Take(width).Sum(v => (double)v * v));
                for (int i = 0; i < width; i++)
                {
                    expected[(r * width) + i] = x[(r * width) + i] / norm;
                }
            }

            NumericsReference.AssertClose(y, expected, expected.Select(Math.Abs).ToArray(), 1e-5, 0, $"L2 width {width}");
        }

        var tensor = new Tensor(new float[] { 3, 4, 0, 0 }, 2, 2);
        Vectors.L2Normalize(tensor);
        Assert.AreEqual(0.6f, tensor[0, 0], 1e-7f);
        Assert.AreEqual(0.8f, tensor[0, 1], 1e-7f);
        Assert.IsTrue(float.IsNaN(tensor[1, 0]), "a zero row divides 0 by 0, as x / x.norm() does in torch");
    }

    [TestMethod]
    public void MeanOverEachAxisMatchesReference()
    {
        var input = new Tensor(NumericsReference.Random(3 * 7 * 17, 31), 3, 7, 17);
        for (int axis = 0; axis < 3; axis++)
        {
            Tensor mean = Vectors.Mean(input, axis);
            int[] expectedShape = [.. input.Shape.ToArray().Where((_, i) => i != axis)];
            CollectionAssert.AreEqual(expectedShape, mean.Shape.ToArray());
            for (int flat = 0; flat < mean.Length; flat++)
            {
                int[] index = Unflatten(flat, expectedShape);
                double sum = 0;
                for (int l = 0; l < input.Dim(axis); l++)
                {
                    int[] full = [.. index[..axis], l, .. index[axis..]];
                    sum += input[full];
                }

                double expected = sum / input.Dim(axis);
                Assert.AreEqual(expected, mean.Span[flat], 1e-6, $"axis {axis} at {flat}");
            }
        }

        CollectionAssert.AreEqual(new[] { 3, 7 }, Vectors.Mean(input, -1).Shape.ToArray(), "axis -1 removes the last axis");
        Assert.ThrowsExactly<ArgumentException>(() => Vectors.Mean(new Tensor(2, 0), 1));
    }

    private static int[] Unflatten(int flat, int[] shape)
    {
        int[] index = new int[shape.Length];
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            index[i] = flat % shape[i];
            flat /= shape[i];
        }

        return index;
    }
}
