using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Tests.Numerics;

/// <summary><see cref="Int8Quantization"/> and <see cref="Int8Weights"/> on hand-computable cases, and vector = scalar.</summary>
[TestClass]
public sealed class Int8QuantizationTests
{
    [TestMethod]
    public void ScaleIsTheLargestMagnitudeOver127OrOneForAZeroRow()
    {
        foreach (bool vectorized in new[] { false, true })
        {
            Assert.AreEqual(1f, Int8Quantization.Scale([0f, 0f, -0f], vectorized), "all zeros");
            Assert.AreEqual(1f, Int8Quantization.Scale([], vectorized), "empty");
            Assert.AreEqual(2f / 127f, Int8Quantization.Scale([1f, -2f, 0.5f], vectorized), "three values");

            // Long enough for the vector loop, largest magnitude in the tail and in the body.
            float[] row = Enumerable.Range(0, 19).Select(i => (float)i / 10).ToArray();
            Assert.AreEqual(1.8f / 127f, Int8Quantization.Scale(row, vectorized), "tail");
            row[3] = -5f;
            Assert.AreEqual(5f / 127f, Int8Quantization.Scale(row, vectorized), "body");
        }
    }

    [TestMethod]
    public void NonFiniteRowsGetANaNScaleAndZeroValues()
    {
        foreach (bool vectorized in new[] { false, true })
        {
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            {
                foreach (int at in new[] { 0, 5, 17 })
                {
                    float[] row = Enumerable.Range(0, 19).Select(i => (float)i).ToArray();
                    row[at] = bad;
                    float scale = Int8Quantization.Scale(row, vectorized);
                    Assert.IsTrue(float.IsNaN(scale), $"{bad} at {at}, vectorized {vectorized}: scale {scale}");
                    short[] q = Enumerable.Repeat((short)7, 20).ToArray();
                    Int8Quantization.QuantizeToInt16(row, scale, q, vectorized);
                    Assert.IsTrue(q.All(v => v == 0), "zeros");
                }
            }
        }
    }

    [TestMethod]
    public void ValuesRoundHalfToEvenAndClampTo127()
    {
        // Scale 1 (max 127): x / 1 = x exactly, so the rounding is visible.
        float[] row = [127f, -63.5f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 3.49f, -126.5f];
        short[] expected = [127, -64, 0, 2, 2, 0, -2, -2, 3, -126];
        Assert.AreEqual(1f, Int8Quantization.Scale(row, vectorized: false));
        for (int i = 0; i < row.Length; i++)
        {
            Assert.AreEqual(expected[i], Int8Quantization.Quantize(row[i], 1f), $"{row[i]}");
        }

        // Beyond ±127 (a scale smaller than the row's own) clamps; −128 is never produced.
        Assert.AreEqual(127, Int8Quantization.Quantize(127.5f, 1f));
        Assert.AreEqual(127, Int8Quantization.Quantize(1000f, 1f));
        Assert.AreEqual(-127, Int8Quantization.Quantize(-127.5f, 1f));
        Assert.AreEqual(-127, Int8Quantization.Quantize(-1000f, 1f));

        // Scale 0.5: 1.25 / 0.5 = 2.5 → 2, 1.75 / 0.5 = 3.5 → 4.
        Assert.AreEqual(2, Int8Quantization.Quantize(1.25f, 0.5f));
        Assert.AreEqual(4, Int8Quantization.Quantize(1.75f, 0.5f));
    }

    [TestMethod]
    public void VectorAndScalarQuantizeToTheSameValuesAndPadCorrectly()
    {
        foreach (int length in new[] { 0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 77, 300 })
        {
            // Multiples of 0.5 hit exact ties; random values the general case.
            float[] row = NumericsReference.Random(length, 100 + length).Select((v, i) => i % 3 == 0 ? MathF.Round(v * 254) / 2 : v * 50).ToArray();
            int padded = ((length + 3) / 4 * 4) + 4;
            float scale = Int8Quantization.Scale(row, vectorized: false);
            Assert.AreEqual(scale, Int8Quantization.Scale(row, vectorized: true), $"scale, length {length}");

            short[] scalar16 = new short[padded], vector16 = new short[padded];
            byte[] scalar8 = new byte[padded], vector8 = new byte[padded];
            Array.Fill(scalar16, (short)99);
            Array.Fill(vector16, (short)99);
            Int8Quantization.QuantizeToInt16(row, scale, scalar16, vectorized: false);
            Int8Quantization.QuantizeToInt16(row, scale, vector16, vectorized: true);
            Int8Quantization.QuantizeToOffsetBytes(row, scale, scalar8, vectorized: false);
            Int8Quantization.QuantizeToOffsetBytes(row, scale, vector8, vectorized: true);
            CollectionAssert.AreEqual(scalar16, vector16, $"int16, length {length}");
            CollectionAssert.AreEqual(scalar8, vector8, $"bytes, length {length}");
            for (int i = 0; i < padded; i++)
            {
                int expected = i < length ? Int8Quantization.Quantize(row[i], scale) : 0;
                Assert.AreEqual(expected, scalar16[i], $"int16 [{i}], length {length}");
                Assert.AreEqual(expected + 128, scalar8[i], $"byte [{i}], length {length}");
                Assert.IsTrue(Math.Abs(scalar16[i]) <= 127, "range");
            }
        }
    }

    [TestMethod]
    public unsafe void WeightsArePackedPerChannelInQuadsWithScalesAndOffsetSums()
    {
        // W [3, 5]: row 0 has max 127 (scale 1), row 1 is zero (scale 1, all 0), row 2 has max 2 (scale 2/127).
        float[] w = [127f, -1.5f, 2.5f, 0f, -127f, 0f, 0f, 0f, 0f, 0f, 2f, -1f, 0f, 0.5f, -2f];
        var packed = new Int8Weights(w, [1f, 2f, 3f], hasBias: true, n: 3, k: 5, maxThreads: 1);
        Assert.AreEqual(2, packed.Quads);
        Assert.AreEqual(1, packed.Panels);
        Assert.AreEqual(1f, packed.Scales[0]);
        Assert.AreEqual(1f, packed.Scales[1]);
        Assert.AreEqual(2f / 127f, packed.Scales[2]);
        Assert.AreEqual(1f, packed.Scales[5], "padding column scale");

        int[][] expected =
        [
            [127, -2, 2, 0, -127],
            [0, 0, 0, 0, 0],
            [127, Int8Quantization.Quantize(-1f, 2f / 127f), 0, Int8Quantization.Quantize(0.5f, 2f / 127f), -127],
        ];
        for (int j = 0; j < 16; j++)
        {
            for (int p = 0; p < 8; p++)
            {
                sbyte value = packed.Weights[(((p / 4 * 16) + j) * 4) + (p % 4)];
                int want = j < 3 && p < 5 ? expected[j][p] : 0;
                Assert.AreEqual(want, value, $"W[{j}, {p}]");
            }

            int sum = j < 3 ? expected[j].Sum() : 0;
            Assert.AreEqual(128 * sum, packed.OffsetCorrection[j], $"offset correction {j}");
            Assert.AreEqual(j < 3 ? j + 1 : 0f, packed.Bias[j], $"bias {j}");
        }

        float[] dequantized = packed.Dequantize();
        Assert.AreEqual(127f, dequantized[0]);
        Assert.AreEqual(0f, dequantized[7]);
        Assert.AreEqual(2f, dequantized[10], 1e-6f);
    }

    [TestMethod]
    public void NonFiniteWeightsAreRejectedNamingTheRow()
    {
        float[] w = new float[4 * 3];
        w[7] = float.NaN; // row 2
        var error = Assert.ThrowsExactly<ArgumentException>(() => new Int8Weights(w, default, hasBias: false, n: 4, k: 3, maxThreads: 1));
        StringAssert.Contains(error.Message, "row 2");
    }
}
