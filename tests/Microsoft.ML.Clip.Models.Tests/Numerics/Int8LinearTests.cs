using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Tests.Numerics;

/// <summary>
/// The int8 <see cref="Linear"/>: every kernel path and thread count bit-for-bit equal to the scalar path; the scalar path
/// against a double-precision computation of the same quantized math; and the int8 result near the float product.
/// </summary>
[TestClass]
public sealed class Int8LinearTests
{
    // k not a multiple of 4/8/64, n not a multiple of the 16-column panel.
    private static readonly (int In, int Out)[] OddShapes = [(1, 1), (3, 17), (5, 15), (13, 33), (66, 50), (129, 16), (770, 37)];

    private static IEnumerable<Int8Level> Levels => Enum.GetValues<Int8Level>().Where(Int8LevelInfo.IsSupported);

    [TestMethod]
    public void EveryPathAndThreadCountGivesTheScalarBits()
    {
        Console.WriteLine($"int8 paths here: {string.Join(", ", Levels)} (best {Int8LevelInfo.Best})");
        foreach ((int k, int n) in OddShapes)
        {
            Linear linear = Layer(k, n, bias: true, seed: k + n);
            for (int rows = 1; rows <= 13; rows++)
            {
                float[] x = NumericsReference.Random(rows * k, (rows * 31) + k);
                foreach ((Activation activation, bool accumulate) in new[] { (Activation.None, false), (Activation.Gelu, false), (Activation.None, true) })
                {
                    float[] residual = NumericsReference.Random(rows * n, rows + n);
                    float[] reference = (float[])residual.Clone();
                    linear.ForwardInt8(x, reference, rows, activation, Int8Level.Scalar, 1, accumulate);
                    foreach (Int8Level level in Levels)
                    {
                        for (int threads = 1; threads <= 4; threads++)
                        {
                            float[] y = (float[])residual.Clone();
                            linear.ForwardInt8(x, y, rows, activation, level, threads, accumulate);
                            NumericsReference.AssertIdentical(reference, y, $"{level}, {threads} threads, [{rows}, {k}]→{n}, {activation}, accumulate {accumulate}");
                        }
                    }
                }
            }
        }
    }

    [TestMethod]
    public void LargeProblemsSplitOverThreadsGiveTheScalarBits()
    {
        // Enough work for several row blocks (> 96 rows) and panel groups on 4 threads.
        const int rows = 197, k = 515, n = 301;
        Linear linear = Layer(k, n, bias: true, seed: 5);
        float[] x = NumericsReference.Random(rows * k, 6);
        float[] reference = new float[rows * n];
        linear.ForwardInt8(x, reference, rows, Activation.QuickGelu, Int8Level.Scalar, 1);
        foreach (Int8Level level in Levels)
        {
            foreach (int threads in new[] { 1, 2, 3, 4 })
            {
                float[] y = new float[rows * n];
                linear.ForwardInt8(x, y, rows, Activation.QuickGelu, level, threads);
                NumericsReference.AssertIdentical(reference, y, $"{level}, {threads} threads");
            }
        }
    }

    [TestMethod]
    public void ScalarPathEqualsTheQuantizedMathInDouble()
    {
        foreach ((int k, int n) in OddShapes.Append((300, 70)))
        {
            const int rows = 7;
            float[] w = NumericsReference.Random(n * k, 200 + k);
            float[] bias = NumericsReference.Random(n, 201 + k);
            float[] x = NumericsReference.Random(rows * k, 202 + k).Select((v, i) => i % 11 == 0 ? 0f : v * 3).ToArray();
            Array.Clear(x, 0, Math.Min(k, x.Length)); // row 0 all zeros: scale 1, output = bias
            var linear = new Linear(new Tensor(w, n, k), new Tensor(bias, n), ComputePrecision.Int8);
            float[] y = new float[rows * n];
            linear.ForwardInt8(x, y, rows, Activation.None, Int8Level.Scalar, 1);

            // The reference quantizes as specified, independently: s = max|row| / 127 (1 for a zero row),
            // q = clamp(round_half_even(v / s)), then y = Σ q_x·q_w · s_x·s_w + b in double.
            (float[] wScale, int[][] qw) = QuantizeRows(w, n, k);
            (float[] xScale, int[][] qx) = QuantizeRows(x, rows, k);
            var expected = new double[rows * n];
            var tolerance = new double[rows * n];
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    long acc = 0;
                    for (int p = 0; p < k; p++)
                    {
                        acc += qx[i][p] * qw[j][p];
                    }

                    double product = acc * (double)xScale[i] * wScale[j];
                    expected[(i * n) + j] = product + bias[j];

                    // The kernel rounds (float)acc, s_x·s_w, their product and the bias add: 4 float roundings.
                    tolerance[(i * n) + j] = 4 * 6e-8 * (Math.Abs(product) + Math.Abs(bias[j]));
                }
            }

            NumericsReference.AssertClose(y, expected, tolerance, 1, 0, $"[{rows}, {k}]→{n}");
            for (int j = 0; j < n; j++)
            {
                Assert.AreEqual(bias[j], y[j], $"zero row, column {j}");
            }
        }
    }

    [TestMethod]
    public void Int8IsCloseToTheFloatProduct()
    {
        const int rows = 20, k = 768, n = 200;
        float[] w = NumericsReference.Random(n * k, 300);
        float[] x = NumericsReference.Random(rows * k, 301);
        var int8 = new Linear(new Tensor(w, n, k), null, ComputePrecision.Int8);
        float[] y = new float[rows * n];
        int8.Forward(x, y, rows);
        (double[] exact, _) = NumericsReference.MatMul(x, w, rows, k, n, transposeB: true);

        // Each operand is off by at most half a step (s/2) per value; for uniform values the error of a dot product of
        // k terms is ~ √k · (|x|·s_w + |w|·s_x)/√12 — about 0.3% of the output's RMS here. Assert the relative RMS error.
        double errorSquares = 0, valueSquares = 0;
        for (int i = 0; i < y.Length; i++)
        {
            errorSquares += (y[i] - exact[i]) * (y[i] - exact[i]);
            valueSquares += exact[i] * exact[i];
        }

        double relativeRms = Math.Sqrt(errorSquares / valueSquares);
        Console.WriteLine($"relative RMS error of int8 vs exact: {relativeRms:E2}");
        Assert.IsTrue(relativeRms < 0.01, $"relative RMS error {relativeRms:E2}");
    }

    [TestMethod]
    public void Int8LayerReleasesItsManagedWeightAndReturnsTheDequantizedOne()
    {
        float[] w = [1f, -0.5f, 0.25f, 2f, 0f, -2f];
        var linear = new Linear(new Tensor(w, 2, 3), null, ComputePrecision.Int8);
        Assert.AreEqual(ComputePrecision.Int8, linear.Precision);
        linear.PackWeights();
        Tensor weight = linear.Weight; // rebuilt from the int8 copy: q·scale
        for (int i = 0; i < w.Length; i++)
        {
            float scale = i < 3 ? 1f / 127f : 2f / 127f;
            Assert.AreEqual(Int8Quantization.Quantize(w[i], scale) * scale, weight.Span[i], $"[{i}]");
        }
    }

    [TestMethod]
    public void ForwardAddAddsTheInt8Output()
    {
        const int rows = 5, k = 40, n = 21;
        Linear linear = Layer(k, n, bias: true, seed: 9);
        float[] x = NumericsReference.Random(rows * k, 10);
        float[] residual = NumericsReference.Random(rows * n, 11);
        float[] alone = new float[rows * n];
        linear.Forward(x, alone, rows);
        float[] sum = (float[])residual.Clone();
        linear.ForwardAdd(x, sum, rows);
        for (int i = 0; i < sum.Length; i++)
        {
            Assert.AreEqual(residual[i] + alone[i], sum[i], $"[{i}]");
        }
    }

    [TestMethod]
    public void NonFiniteInputRowsGiveNaNRowsOnly()
    {
        const int k = 10, n = 5;
        Linear linear = Layer(k, n, bias: true, seed: 12);
        float[] x = NumericsReference.Random(3 * k, 13);
        x[k + 4] = float.PositiveInfinity; // row 1
        float[] y = new float[3 * n];
        linear.Forward(x, y, 3);
        Assert.IsTrue(y.Skip(n).Take(n).All(float.IsNaN), "row 1 is NaN");
        Assert.IsTrue(y.Take(n).Concat(y.Skip(2 * n)).All(float.IsFinite), "rows 0 and 2 are finite");
    }

    [TestMethod]
    public void UnknownPrecisionIsRejected()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Linear(new Tensor(2, 2), null, (ComputePrecision)7));
        StringAssert.Contains(error.Message, "Float32 or Int8");
    }

    private static Linear Layer(int k, int n, bool bias, int seed) =>
        new(new Tensor(NumericsReference.Random(n * k, seed), n, k), bias ? new Tensor(NumericsReference.Random(n, seed + 1), n) : null, ComputePrecision.Int8);

    private static (float[] Scales, int[][] Values) QuantizeRows(float[] values, int rows, int k)
    {
        var scales = new float[rows];
        var q = new int[rows][];
        for (int i = 0; i < rows; i++)
        {
            float max = 0;
            for (int p = 0; p < k; p++)
            {
                max = Math.Max(max, Math.Abs(values[(i * k) + p]));
            }

            scales[i] = max == 0 ? 1f : max / 127f;
            q[i] = new int[k];
            for (int p = 0; p < k; p++)
            {
                q[i][p] = (int)Math.Clamp(Math.Round(values[(i * k) + p] / scales[i], MidpointRounding.ToEven), -127, 127);
            }
        }

        return (scales, q);
    }
}
