using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Tests.Numerics;

/// <summary>
/// GEMM against a double-precision reference. The kernels compute each output as one float FMA chain over k, in order;
/// the reference sums exactly (in double). The difference is float rounding of the running sum, bounded by a small
/// multiple of 2⁻²⁴·Σ|aᵢ·bᵢ|, so the tolerance is 1e-5 relative to <c>Σ|aᵢ·bᵢ|</c> (for sums without cancellation that
/// is 1e-5 relative to the result itself).
/// </summary>
[TestClass]
public sealed class GemmTests
{
    private const double Relative = 1e-5;

    // (m, k, n): odd sizes around the 6-row / 64-column tiles and the 256-deep reduction blocks.
    private static readonly (int M, int K, int N)[] Shapes =
    [
        (1, 1, 1), (1, 3, 7), (3, 7, 17), (7, 17, 33), (17, 33, 50), (6, 64, 64), (13, 257, 65), (50, 77, 129),
        (77, 50, 3), (33, 768, 77), (5, 1024, 257), (2, 3072, 17), (4, 100, 128), (50, 768, 192),
    ];

    public static IEnumerable<object[]> Levels =>
        Enum.GetValues<SimdLevel>().Where(SimdLevelInfo.IsSupported).Select(level => new object[] { (int)level, level.ToString() });

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void MatchesReferenceOnOddShapes(bool transposeB)
    {
        foreach ((int m, int k, int n) in Shapes)
        {
            float[] a = NumericsReference.Random(m * k, 1);
            float[] b = NumericsReference.Random(k * n, 2);
            float[] c = new float[m * n];
            if (transposeB)
            {
                Gemm.MatMulTransposed(a, b, c, m, k, n);
            }
            else
            {
                Gemm.MatMul(a, b, c, m, k, n);
            }

            (double[] expected, double[] scale) = NumericsReference.MatMul(a, b, m, k, n, transposeB);
            NumericsReference.AssertClose(c, expected, scale, Relative, 0, $"[{m},{k}]x[{k},{n}] transposeB={transposeB}");
        }
    }

    [TestMethod]
    public void LargeModelShapeMatchesReference()
    {
        // One real shape (ViT-B MLP down-projection width) with a deep reduction, kept to few rows for test time.
        const int m = 9, k = 3072, n = 768;
        float[] a = NumericsReference.Random(m * k, 3);
        float[] b = NumericsReference.Random(k * n, 4);
        float[] c = new float[m * n];
        Gemm.MatMulTransposed(a, b, c, m, k, n);
        (double[] expected, double[] scale) = NumericsReference.MatMul(a, b, m, k, n, transposeB: true);
        NumericsReference.AssertClose(c, expected, scale, Relative, 0, "[9,3072]x[768,3072]T");
    }

    [TestMethod]
    public void AccumulateAddsToTheExistingValues()
    {
        // One reduction block, and three (k = 1100 > 512) with partial row and column tiles.
        foreach ((int m, int k, int n) in new[] { (7, 33, 70), (13, 1100, 130) })
        {
            float[] a = NumericsReference.Random(m * k, 5);
            float[] b = NumericsReference.Random(k * n, 6);
            float[] initial = NumericsReference.Random(m * n, 7);
            float[] c = (float[])initial.Clone();
            Gemm.MatMul(a, b, c, m, k, n, accumulate: true);
            (double[] expected, double[] scale) = NumericsReference.MatMul(a, b, m, k, n, transposeB: false);
            for (int i = 0; i < expected.Length; i++)
            {
                expected[i] += initial[i];
                scale[i] += Math.Abs(initial[i]);
            }

            NumericsReference.AssertClose(c, expected, scale, Relative, 0, $"accumulate [{m},{k}]x[{k},{n}]");
        }
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void BatchedMatchesReferencePerItem(bool transposeB)
    {
        const int batch = 5, m = 17, k = 50, n = 77;
        float[] a = NumericsReference.Random(batch * m * k, 8);
        float[] b = NumericsReference.Random(batch * k * n, 9);
        float[] c = new float[batch * m * n];
        Gemm.MatMulBatched(a, b, c, batch, m, k, n, transposeB);
        for (int i = 0; i < batch; i++)
        {
            (double[] expected, double[] scale) = NumericsReference.MatMul(a, b, m, k, n, transposeB, i * m * k, i * k * n);
            NumericsReference.AssertClose(c.AsSpan(i * m * n, m * n), expected, scale, Relative, 0, $"batch item {i}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void EveryInstructionSetGivesTheScalarResultBitForBit(int levelValue, string levelName)
    {
        var level = (SimdLevel)levelValue;
        Assert.AreEqual(levelName, level.ToString());
        foreach ((int m, int k, int n) in Shapes.Append((20, 600, 130)))
        {
            float[] a = NumericsReference.Random(m * k, 10);
            float[] b = NumericsReference.Random(k * n, 11);
            float[] scalar = new float[m * n];
            float[] simd = new float[m * n];
            Gemm.MatMulBatched(a, b, scalar, 1, m, k, n, transposeB: true, accumulate: false, SimdLevel.Scalar, 1);
            Gemm.MatMulBatched(a, b, simd, 1, m, k, n, transposeB: true, accumulate: false, level, 1);
            NumericsReference.AssertIdentical(scalar, simd, $"{level} [{m},{k}]x[{k},{n}]");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void PartialRowTilesGiveTheScalarResultBitForBit(int levelValue, string levelName)
    {
        // m = 6q + r for every remainder r (the last row tile of 1 … 5 rows has its own AVX-512 kernels), on full and
        // partial 64-column panels, with one and several reduction blocks, overwriting and accumulating, on 1 and 2 threads.
        var level = (SimdLevel)levelValue;
        Assert.AreEqual(levelName, level.ToString());
        foreach (int m in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 50 })
        {
            foreach ((int k, int n) in new[] { (37, 128), (768, 192), (1100, 100) })
            {
                float[] a = NumericsReference.Random(m * k, 16);
                float[] b = NumericsReference.Random(k * n, 17);
                float[] initial = NumericsReference.Random(m * n, 18);
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] scalar = (float[])initial.Clone();
                    Gemm.MatMulBatched(a, b, scalar, 1, m, k, n, transposeB: true, accumulate, SimdLevel.Scalar, 1);
                    foreach (int threads in new[] { 1, 2 })
                    {
                        float[] simd = (float[])initial.Clone();
                        Gemm.MatMulBatched(a, b, simd, 1, m, k, n, transposeB: true, accumulate, level, threads);
                        NumericsReference.AssertIdentical(scalar, simd, $"{level} [{m},{k}]x[{k},{n}] accumulate={accumulate}, {threads} threads");
                    }
                }
            }
        }
    }

    [TestMethod]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        const int batch = 3, m = 61, k = 300, n = 200;
        float[] a = NumericsReference.Random(batch * m * k, 12);
        float[] b = NumericsReference.Random(batch * k * n, 13);
        float[] single = new float[batch * m * n];
        Gemm.MatMulBatched(a, b, single, batch, m, k, n, false, false, SimdLevelInfo.Best, 1);
        foreach (int threads in new[] { 2, 3, 4, 7 })
        {
            float[] parallel = new float[batch * m * n];
            Gemm.MatMulBatched(a, b, parallel, batch, m, k, n, false, false, SimdLevelInfo.Best, threads);
            NumericsReference.AssertIdentical(single, parallel, $"{threads} threads");
        }
    }

    [TestMethod]
    public void EmptyReductionGivesZeros()
    {
        float[] c = [1f, 2f, 3f, 4f];
        Gemm.MatMul([], [], c, 2, 0, 2);
        CollectionAssert.AreEqual(new float[4], c);
    }

    [TestMethod]
    public void TooSmallBuffersAreRejectedWithTheSizes()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Gemm.MatMul(new float[5], new float[6], new float[4], 2, 3, 2));
        StringAssert.Contains(ex.Message, "[2, 3]·[3, 2]");
        StringAssert.Contains(ex.Message, "needs 6");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Gemm.MatMul([], [], [], -1, 0, 0));
    }

    [TestMethod]
    public void SteadyStateCallsDoNotAllocate()
    {
        const int m = 20, k = 100, n = 90;
        float[] a = NumericsReference.Random(m * k, 14);
        float[] b = NumericsReference.Random(k * n, 15);
        float[] c = new float[m * n];
        Gemm.MatMulBatched(a, b, c, 1, m, k, n, true, false, SimdLevelInfo.Best, 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Gemm.MatMulBatched(a, b, c, 1, m, k, n, true, false, SimdLevelInfo.Best, 2);
        }

        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
