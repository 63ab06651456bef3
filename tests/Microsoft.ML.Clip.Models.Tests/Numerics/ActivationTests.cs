using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Tests.Numerics;

/// <summary>The vectorised activations against double-precision references over dense ranges.</summary>
[TestClass]
public sealed class ActivationTests
{
    /// <summary>Every float step of 1/1024 in [-20, 20] plus some extremes: 40 961+ values, not a multiple of the vector width.</summary>
    private static float[] DenseRange()
    {
        var values = new List<float>();
        for (int i = -20 * 1024; i <= 20 * 1024; i++)
        {
            values.Add(i / 1024f);
        }

        values.AddRange([1e-30f, -1e-30f, 1e-6f, -1e-6f, 0.3333333f, -7.77f, 100f, -100f, 1e6f, -1e6f, 3e38f]);
        return values.ToArray();
    }

    [TestMethod]
    public void GeluMatchesExactErfGeluToAFewUlps()
    {
        float[] x = DenseRange();
        float[] y = (float[])x.Clone();
        Activations.Gelu(y);
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double expected = NumericsReference.Gelu(x[i]);
            double error = Math.Abs(y[i] - expected);

            // 1e-6 relative (≈ 8 ulps); results below 1e-37 (x < -13) may flush to zero.
            Assert.IsTrue(error <= (1e-6 * Math.Abs(expected)) + 1e-37, $"gelu({x[i]:R}) = {y[i]:R}, expected {expected:R}");
            if (Math.Abs(expected) > 1e-30)
            {
                worst = Math.Max(worst, error / Math.Abs(expected));
            }
        }

        Console.WriteLine($"GELU worst relative error: {worst:E2}");
    }

    [TestMethod]
    public void QuickGeluMatchesReference()
    {
        float[] x = DenseRange();
        float[] y = (float[])x.Clone();
        Activations.QuickGelu(y);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = NumericsReference.QuickGelu(x[i]);
            Assert.IsTrue(Math.Abs(y[i] - expected) <= (1e-6 * Math.Abs(expected)) + 1e-37, $"quick_gelu({x[i]:R}) = {y[i]:R}, expected {expected:R}");
        }
    }

    [TestMethod]
    public void TanhMatchesReference()
    {
        float[] x = DenseRange();
        float[] y = (float[])x.Clone();
        Activations.Apply(y, Activation.Tanh);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = Math.Tanh(x[i]);
            Assert.IsTrue(Math.Abs(y[i] - expected) <= 1e-6 * Math.Abs(expected), $"tanh({x[i]:R}) = {y[i]:R}, expected {expected:R}");
        }
    }

    [TestMethod]
    public void ResultDoesNotDependOnPositionInTheSpan()
    {
        // The tail of a span goes through a padded vector: the same value must give the same bits anywhere.
        float[] x = NumericsReference.Random(37, 21).Select(v => v * 6).ToArray();
        foreach (Activation activation in new[] { Activation.Gelu, Activation.QuickGelu, Activation.Tanh })
        {
            float[] whole = (float[])x.Clone();
            Activations.Apply(whole, activation);
            for (int i = 0; i < x.Length; i++)
            {
                float[] one = [x[i]];
                Activations.Apply(one, activation);
                Assert.AreEqual(whole[i], one[0], $"{activation} at {i}");
            }
        }
    }

    [TestMethod]
    public void WideAndVectorPathsGiveTheSameBits()
    {
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            return; // only one path exists on this CPU; the other tests cover it
        }

        float[] x = DenseRange();
        foreach (Activation activation in new[] { Activation.Gelu, Activation.QuickGelu, Activation.Tanh })
        {
            float[] wide = (float[])x.Clone();
            float[] narrow = (float[])x.Clone();
            Activations.Apply(wide, activation, wide: true);
            Activations.Apply(narrow, activation, wide: false);
            NumericsReference.AssertIdentical(wide, narrow, activation.ToString());
        }
    }

    [TestMethod]
    public void NoneLeavesValuesAndUnknownIsRejected()
    {
        float[] x = [1f, -2f];
        Activations.Apply(x, Activation.None);
        CollectionAssert.AreEqual(new[] { 1f, -2f }, x);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Activations.Apply(x, (Activation)42));
    }
}
