using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Tests.Numerics;

/// <summary>
/// Int8 layers whose inputs are quantized to 12 bits (<see cref="Int8Activations.Int12"/>, the attention output
/// projections): every int16 path and thread count bit-for-bit equal to the scalar path; the scalar path against a
/// double-precision computation of the same quantized math on odd shapes; closer to the float product than int8 inputs.
/// </summary>
[TestClass]
public sealed class Int8Int12ActivationsTests
{
    // k not a multiple of 4/8/16, n not a multiple of the 16-column panel.
    private static readonly (int In, int Out)[] OddShapes = [(1, 1), (3, 17), (5, 15), (13, 33), (66, 50), (129, 16), (770, 37)];

    private static IEnumerable<Int8Level> Int16Levels =>
        Enum.GetValues<Int8Level>().Where(level => Int8LevelInfo.IsSupported(level) && Int8LevelInfo.Handles(level, Int8Activations.Int12));

    [TestMethod]
    public void EveryInt16PathAndThreadCountGivesTheScalarBits()
    {
        Console.WriteLine($"int12 paths here: {string.Join(", ", Int16Levels)} (best {Int8LevelInfo.BestFor(Int8Activations.Int12)})");
        foreach ((int k, int n) in OddShapes)
        {
            Linear linear = Layer(k, n, seed: k + n);
            for (int rows = 1; rows <= 13; rows += 3)
            {
                float[] x = NumericsReference.Random(rows * k, (rows * 37) + k);
                foreach ((Activation activation, bool accumulate) in new[] { (Activation.None, false), (Activation.Gelu, false), (Activation.None, true) })
                {
                    float[] residual = NumericsReference.Random(rows * n, rows + n + 1);
                    float[] reference = (float[])residual.Clone();
                    linear.ForwardInt8(x, reference, rows, activation, Int8Level.Scalar, 1, accumulate);
                    foreach (Int8Level level in Int16Levels)
                    {
                        for (int threads = 1; threads <= 3; threads++)
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
        const int rows = 203, k = 1031, n = 77; // several row blocks, k near the real models' widths
        Linear linear = Layer(k, n, seed: 21);
        float[] x = NumericsReference.Random(rows * k, 22);
        float[] reference = new float[rows * n];
        linear.ForwardInt8(x, reference, rows, Activation.None, Int8Level.Scalar, 1);
        foreach (Int8Level level in Int16Levels)
        {
            foreach (int threads in new[] { 1, 2, 4 })
            {
                float[] y = new float[rows * n];
                linear.ForwardInt8(x, y, rows, Activation.None, level, threads);
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
            float[] w = NumericsReference.Random(n * k, 400 + k);
            float[] bias = NumericsReference.Random(n, 401 + k);
            float[] x = NumericsReference.Random(rows * k, 402 + k).Select((v, i) => i % 11 == 0 ? 0f : v * 3).ToArray();
            Array.Clear(x, 0, Math.Min(k, x.Length)); // row 0 all zeros: scale 1, output = bias
            var linear = new Linear(new Tensor(w, n, k), new Tensor(bias, n), ComputePrecision.Int8, Int8Activations.Int12);
            float[] y = new float[rows * n];
            linear.ForwardInt8(x, y, rows, Activation.None, Int8Level.Scalar, 1);

            // Independently: weights s = max|row| / 127, inputs s = max|row| / 2047 (1 for a zero row),
            // q = clamp(round_half_even(v / s), ±level), then y = Σ q_x·q_w · s_x·s_w + b in double.
            (float[] wScale, int[][] qw) = QuantizeRows(w, n, k, 127);
            (float[] xScale, int[][] qx) = QuantizeRows(x, rows, k, 2047);
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
                    tolerance[(i * n) + j] = 4 * 6e-8 * (Math.Abs(product) + Math.Abs(bias[j])); // 4 float roundings
                }
            }

            NumericsReference.AssertClose(y, expected, tolerance, 1, 0, $"[{rows}, {k}]→{n}");
            Assert.IsTrue(qx.Skip(1).Any(row => row.Any(q => Math.Abs(q) > 127)), "the inputs really use more than 8 bits");
        }
    }

    [TestMethod]
    public void Int12InputsAreCloserToTheFloatProductThanInt8Inputs()
    {
        const int rows = 20, k = 1024, n = 96;
        float[] w = NumericsReference.Random(n * k, 500);
        float[] x = NumericsReference.Random(rows * k, 501);
        (double[] exact, _) = NumericsReference.MatMul(x, w, rows, k, n, transposeB: true);
        double int8 = RelativeRmsError(new Linear(new Tensor(w, n, k), null, ComputePrecision.Int8), x, exact, rows, n);
        double int12 = RelativeRmsError(new Linear(new Tensor(w, n, k), null, ComputePrecision.Int8, Int8Activations.Int12), x, exact, rows, n);
        Console.WriteLine($"relative RMS error vs exact: int8 inputs {int8:E2}, int12 inputs {int12:E2}");

        // Both operands of int8 contribute about equally; int12 inputs remove most of the input's share (√2 ≈ 1.41×).
        Assert.IsTrue(int12 < int8 / 1.3, $"int12 {int12:E2} vs int8 {int8:E2}");
    }

    [TestMethod]
    public void TheVnniPathRefusesInt12Inputs()
    {
        Assert.IsFalse(Int8LevelInfo.Handles(Int8Level.AvxVnni, Int8Activations.Int12));
        Assert.IsTrue(Int8LevelInfo.Handles(Int8Level.AvxVnni, Int8Activations.Int8));
        Assert.IsFalse(Int8LevelInfo.UsesUnsignedBytes(Int8LevelInfo.BestFor(Int8Activations.Int12)));
        Assert.IsTrue(Int8LevelInfo.IsSupported(Int8LevelInfo.BestFor(Int8Activations.Int12)));
        if (Int8LevelInfo.IsSupported(Int8Level.AvxVnni))
        {
            Linear linear = Layer(8, 4, seed: 1);
            var error = Assert.ThrowsExactly<ArgumentException>(() => linear.ForwardInt8(new float[8], new float[4], 1, Activation.None, Int8Level.AvxVnni, 1));
            StringAssert.Contains(error.Message, "Int12");
        }
    }

    [TestMethod]
    public void AReductionTooLongForExactInt32SumsIsRejected()
    {
        int longest = Int8Activations.Int12.MaxReduction();
        Assert.AreEqual(int.MaxValue / (2047 * 127), longest);
        _ = new Linear(new Tensor(1, longest), null, ComputePrecision.Int8, Int8Activations.Int12);
        var error = Assert.ThrowsExactly<ArgumentException>(() => new Linear(new Tensor(1, longest + 1), null, ComputePrecision.Int8, Int8Activations.Int12));
        StringAssert.Contains(error.Message, $"in = {longest + 1}");
        _ = new Linear(new Tensor(1, longest + 1), null, ComputePrecision.Float32, Int8Activations.Int12); // float32 has no such limit
    }

    [TestMethod]
    public void QuantizingTo12BitsGivesTheSameValuesOnEveryPath()
    {
        foreach (int length in new[] { 1, 7, 16, 33, 100 })
        {
            float[] row = NumericsReference.Random(length, 600 + length);
            float scale = Int8Quantization.Scale(row, vectorized: false, maxLevel: 2047);
            Assert.AreEqual(scale, Int8Quantization.Scale(row, vectorized: true, maxLevel: 2047), $"scale, length {length}");
            Assert.AreEqual(row.Max(Math.Abs) / 2047f, scale, $"scale = max / 2047, length {length}");
            short[] scalar = new short[length + 4];
            short[] vector = new short[length + 4];
            Int8Quantization.QuantizeToInt16(row, scale, scalar, vectorized: false, maxLevel: 2047);
            Int8Quantization.QuantizeToInt16(row, scale, vector, vectorized: true, maxLevel: 2047);
            CollectionAssert.AreEqual(scalar, vector, $"length {length}");
            Assert.AreEqual(2047, scalar.Max(q => Math.Abs((int)q)), $"the largest value reaches the level, length {length}");
            Assert.IsTrue(scalar.Skip(length).All(q => q == 0), "zero padding");
        }

        Assert.AreEqual(2047, Int8Quantization.Quantize(5000f, 1f, 2047));
        Assert.AreEqual(-2047, Int8Quantization.Quantize(-2047.5f, 1f, 2047));
        Assert.AreEqual(1000, Int8Quantization.Quantize(1000.5f, 1f, 2047)); // half to even
    }

    private static Linear Layer(int k, int n, int seed) =>
        new(new Tensor(NumericsReference.Random(n * k, seed), n, k), new Tensor(NumericsReference.Random(n, seed + 1), n), ComputePrecision.Int8, Int8Activations.Int12);

    private static double RelativeRmsError(Linear linear, float[] x, double[] exact, int rows, int n)
    {
        float[] y = new float[rows * n];
        linear.Forward(x, y, rows);
        double errorSquares = 0, valueSquares = 0;
        for (int i = 0; i < y.Length; i++)
        {
            errorSquares += (y[i] - exact[i]) * (y[i] - exact[i]);
            valueSquares += exact[i] * exact[i];
        }

        return Math.Sqrt(errorSquares / valueSquares);
    }

    private static (float[] Scales, int[][] Values) QuantizeRows(float[] values, int rows, int k, int level)
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

            scales[i] = max == 0 ? 1f : max / level;
            q[i] = new int[k];
            for (int p = 0; p < k; p++)
            {
                q[i][p] = (int)Math.Clamp(Math.Round(values[(i * k) + p] / scales[i], MidpointRounding.ToEven), -level, level);
            }
        }

        return (scales, q);
    }
}
