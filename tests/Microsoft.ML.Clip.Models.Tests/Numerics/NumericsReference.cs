namespace Microsoft.ML.Clip.Tests.Numerics;

/// <summary>Plain, obviously correct reference implementations (double accumulation) the fast kernels are checked against.</summary>
internal static class NumericsReference
{
    /// <summary>Random values in [-1, 1) from a fixed seed.</summary>
    public static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    /// <summary>
    /// <c>C = A·B</c> (or <c>A·Bᵀ</c>) in double, with <c>scale[i,j] = Σ_p |A[i,p]·B[p,j]|</c>: the size of the terms a float
    /// dot product rounds, which bounds its error (a float sum of k terms is off by at most ~k·2⁻²⁴·Σ|terms|, typically √k·…).
    /// </summary>
    public static (double[] Product, double[] Scale) MatMul(float[] a, float[] b, int m, int k, int n, bool transposeB, int batchOffsetA = 0, int batchOffsetB = 0)
    {
        var product = new double[m * n];
        var scale = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = (double)a[batchOffsetA + (i * k) + p] * b[batchOffsetB + (transposeB ? (j * k) + p : (p * n) + j)];
                    sum += term;
                    magnitude += Math.Abs(term);
                }

                product[(i * n) + j] = sum;
                scale[(i * n) + j] = magnitude;
            }
        }

        return (product, scale);
    }

    /// <summary>GELU with the exact erf, in double.</summary>
    public static double Gelu(double x) => 0.5 * x * MathNet.Numerics.SpecialFunctions.Erfc(-x / Math.Sqrt(2.0));

    /// <summary>
    /// Quick GELU, <c>x·σ(1.702·x)</c>, in double after the float product <c>1.702f·x</c> that torch (and we) compute first:
    /// that rounding changes e^(-1.702x) by up to ~1e-6 relative at |x| = 20, and belongs to the definition, not the kernel.
    /// </summary>
    public static double QuickGelu(float x) => x / (1.0 + Math.Exp(-(double)(1.702f * x)));

    /// <summary>
    /// Asserts <c>|actual - expected| ≤ relative·scale + absolute</c> for every element, naming the first that fails.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, ReadOnlySpan<double> scale, double relative, double absolute, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            double allowed = (relative * scale[i]) + absolute;
            if (!(error <= allowed))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (error {error:E2} > allowed {allowed:E2}).");
            }
        }
    }

    /// <summary>Asserts two float arrays are bit-for-bit equal.</summary>
    public static void AssertIdentical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} differs: {expected[i]:R} vs {actual[i]:R}.");
            }
        }
    }
}
