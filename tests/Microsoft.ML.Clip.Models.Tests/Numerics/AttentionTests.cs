using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Tests.Numerics;

/// <summary>
/// Multi-head attention against a plain double-precision reference that spells out the documented masking semantics.
/// Scores, softmax and the weighted sum are each float computations in the kernel; the output tolerance is 1e-5 relative
/// to <c>Σ_j p_j·|v_j|</c> plus the effect of score rounding (1e-5 relative to <c>scale·Σ|q·k|</c>, at most that much
/// relative change of each weight).
/// </summary>
[TestClass]
public sealed class AttentionTests
{
    [TestMethod]
    [DataRow(1, 1, 1, 1, 1, false, false)]
    [DataRow(2, 7, 7, 3, 17, false, false)]
    [DataRow(2, 7, 7, 3, 17, true, true)]
    [DataRow(3, 5, 33, 2, 8, false, true)]
    [DataRow(2, 50, 50, 4, 64, false, true)]
    [DataRow(2, 77, 77, 2, 64, true, true)]
    [DataRow(1, 257, 257, 1, 64, false, false)]
    [DataRow(1, 9, 3, 2, 7, true, false)]
    [DataRow(3, 17, 17, 2, 64, true, true)]
    [DataRow(2, 15, 65, 2, 64, false, true)]
    [DataRow(2, 51, 51, 3, 64, false, false)]
    [DataRow(1, 2, 1, 2, 64, true, false)]
    [DataRow(2, 7, 129, 1, 64, false, true)]
    public void MatchesReference(int batch, int lq, int lk, int heads, int headDim, bool causal, bool padded)
    {
        var shape = new AttentionShape(batch, lq, lk, heads, headDim);
        float[] q = NumericsReference.Random(batch * lq * shape.Width, 60);
        float[] k = NumericsReference.Random(batch * lk * shape.Width, 61);
        float[] v = NumericsReference.Random(batch * lk * shape.Width, 62);
        float[] mask = padded ? PaddingMask(batch, lk) : [];
        float scale = 1f / MathF.Sqrt(headDim) * 3f; // sharpen the weights a little
        float[] output = new float[batch * lq * shape.Width];
        float[] probabilities = new float[batch * heads * lq * lk];
        Attention.Forward(q, k, v, output, shape, scale, mask, causal, probabilities);

        (double[] expected, double[] tolerance, double[] expectedProbabilities, double[] probabilityTolerance) = Reference(q, k, v, shape, scale, mask, causal);
        NumericsReference.AssertClose(output, expected, tolerance, 1, 0, "output");
        NumericsReference.AssertClose(probabilities, expectedProbabilities, probabilityTolerance, 1, 1e-9, "probabilities");
        AssertMaskedKeysWeighZero(probabilities, shape, mask, causal);
    }

    [TestMethod]
    public void FullyMaskedRowIsUniformOverCausallyVisibleKeys()
    {
        var shape = new AttentionShape(2, 4, 4, 1, 3);
        float[] q = NumericsReference.Random(2 * 4 * 3, 63);
        float[] k = NumericsReference.Random(2 * 4 * 3, 64);
        float[] v = NumericsReference.Random(2 * 4 * 3, 65);
        float[] mask = [1, 1, 1, 1, 0, 0, 0, 0]; // the second sequence is all padding
        float[] output = new float[2 * 4 * 3];
        float[] probabilities = new float[2 * 4 * 4];
        Attention.Forward(q, k, v, output, shape, 1f, mask, causal: true, probabilities);
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                float expected = j <= i ? 1f / (i + 1) : 0f;
                Assert.AreEqual(expected, probabilities[16 + (i * 4) + j], 1e-7f, $"query {i}, key {j}");
            }
        }
    }

    [TestMethod]
    public void ResultsDoNotDependOnThreadsOrInstructionSet()
    {
        // Big enough (≈3 MFLOP) to be split over threads.
        var shape = new AttentionShape(3, 40, 40, 5, 32);
        float[] q = NumericsReference.Random(3 * 40 * shape.Width, 66);
        float[] k = NumericsReference.Random(3 * 40 * shape.Width, 67);
        float[] v = NumericsReference.Random(3 * 40 * shape.Width, 68);
        float[] mask = PaddingMask(3, 40);
        float[] reference = new float[q.Length];
        Attention.Forward(q, k, v, reference, shape, 0.25f, mask, true, default, SimdLevelInfo.Best, 1);
        foreach (SimdLevel level in Enum.GetValues<SimdLevel>().Where(SimdLevelInfo.IsSupported))
        {
            foreach (int threads in new[] { 1, 2, 4 })
            {
                float[] output = new float[q.Length];
                Attention.Forward(q, k, v, output, shape, 0.25f, mask, true, default, level, threads);
                NumericsReference.AssertIdentical(reference, output, $"{level}, {threads} threads");
            }
        }
    }

    [TestMethod]
    [DataRow(3, 2, 9, 2, 5, true, true)]
    [DataRow(2, 1, 77, 3, 64, true, true)]
    [DataRow(4, 1, 50, 2, 17, false, false)]
    [DataRow(2, 3, 7, 1, 3, false, true)]
    public void QueriesAtGivenPositionsMatchReference(int batch, int lq, int lk, int heads, int headDim, bool causal, bool padded)
    {
        // Queries that are a subset of the sequence's rows: query i of sequence b sits at key position positions[b·lq + i].
        var shape = new AttentionShape(batch, lq, lk, heads, headDim);
        float[] q = NumericsReference.Random(batch * lq * shape.Width, 70);
        float[] k = NumericsReference.Random(batch * lk * shape.Width, 71);
        float[] v = NumericsReference.Random(batch * lk * shape.Width, 72);
        float[] mask = padded ? PaddingMask(batch, lk) : [];
        int[] positions = QueryPositions(batch, lq, lk);
        float scale = 1f / MathF.Sqrt(headDim) * 3f;
        float[] output = new float[batch * lq * shape.Width];
        float[] probabilities = new float[batch * heads * lq * lk];
        Attention.Forward(q, k, v, output, shape, scale, mask, causal, probabilities, positions);

        (double[] expected, double[] tolerance, double[] expectedProbabilities, double[] probabilityTolerance) = Reference(q, k, v, shape, scale, mask, causal, positions);
        NumericsReference.AssertClose(output, expected, tolerance, 1, 0, "output");
        NumericsReference.AssertClose(probabilities, expectedProbabilities, probabilityTolerance, 1, 1e-9, "probabilities");
        AssertMaskedKeysWeighZero(probabilities, shape, mask, causal, positions);
    }

    [TestMethod]
    [DataRow(1, 1, 1, 2, false, false, false)]
    [DataRow(2, 2, 2, 3, true, false, false)]
    [DataRow(3, 15, 15, 2, true, true, false)]
    [DataRow(4, 16, 16, 3, true, true, false)]
    [DataRow(3, 17, 17, 2, false, true, false)]
    [DataRow(2, 51, 51, 2, false, false, false)]
    [DataRow(2, 63, 63, 1, true, true, false)]
    [DataRow(2, 64, 64, 2, false, true, false)]
    [DataRow(2, 65, 65, 1, true, false, false)]
    [DataRow(1, 257, 257, 2, false, true, false)]
    [DataRow(3, 5, 33, 2, false, true, false)]
    [DataRow(2, 40, 17, 2, true, true, false)]
    [DataRow(3, 3, 51, 2, true, true, true)]
    [DataRow(2, 1, 257, 2, true, false, true)]
    [DataRow(2, 6, 16, 3, false, true, true)]
    [DataRow(12, 16, 16, 3, true, true, false)] // many small heads: work items of several (sequence, head) pairs across sequences
    [DataRow(16, 16, 16, 5, false, true, false)]
    public void KernelPathEqualsTheGemmPathBitForBit(int batch, int lq, int lk, int heads, bool causal, bool padded, bool positioned)
    {
        // The AVX-512 kernels for 64-wide heads against the two-GEMM path on the scalar kernels (the reference) and on every
        // instruction set and thread count, outputs and probabilities. The inputs include +0, −0 and an infinite value, and
        // the mask a fully padded sequence and holes, so the zero weights of masked keys and the signs of zero sums count;
        // some query rows have a zero or non-finite largest score (the softmax cases the kernel path hands to Softmax).
        var shape = new AttentionShape(batch, lq, lk, heads, 64);
        float[] q = WithZeros(NumericsReference.Random(batch * lq * shape.Width, 80), 81);
        float[] k = WithZeros(NumericsReference.Random(batch * lk * shape.Width, 82), 83);
        float[] v = WithZeros(NumericsReference.Random(batch * lk * shape.Width, 84), 85);
        v[^1] = float.PositiveInfinity; // the last key of the last sequence: NaN or ±∞ where it is weighed (or weighs 0)
        Array.Clear(q, 0, 64); // query 0 of head 0 scores +0 everywhere: a zero maximum
        if (lq > 2)
        {
            q[(2 * shape.Width) + 5] = float.NegativeInfinity; // query 2 of head 0: infinite and NaN scores
        }

        // Query 1 of head 0 scores −|k[j, 0]|: negatives and, where that key value is ±0, exact zeros as the largest score.
        if (lq > 1)
        {
            Array.Clear(q, shape.Width, 64);
            q[shape.Width] = -1f;
            for (int j = 0; j < batch * lk; j++)
            {
                k[j * shape.Width] = MathF.Abs(k[j * shape.Width]);
            }
        }

        float[] mask = padded ? HoledMask(batch, lk) : [];
        int[] positions = positioned ? QueryPositions(batch, lq, lk) : [];
        float scale = 0.125f;

        float[] expected = new float[batch * lq * shape.Width];
        float[] expectedProbabilities = new float[batch * heads * lq * lk];
        Attention.Forward(q, k, v, expected, shape, scale, mask, causal, expectedProbabilities, SimdLevel.Scalar, 1, positions, AttentionPath.Gemm);
        Assert.IsTrue(expected.Any(float.IsFinite), "the reference has finite outputs");
        foreach (SimdLevel level in Enum.GetValues<SimdLevel>().Where(SimdLevelInfo.IsSupported))
        {
            foreach (AttentionPath path in new[] { AttentionPath.Best, AttentionPath.Gemm })
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    float[] output = new float[expected.Length];
                    float[] probabilities = new float[expectedProbabilities.Length];
                    Attention.Forward(q, k, v, output, shape, scale, mask, causal, probabilities, level, threads, positions, path);
                    NumericsReference.AssertIdentical(expected, output, $"output, {level}, {path}, {threads} threads");
                    NumericsReference.AssertIdentical(expectedProbabilities, probabilities, $"probabilities, {level}, {path}, {threads} threads");
                }
            }
        }

        // Without probabilities requested (the models' call) the outputs are the same.
        float[] plain = new float[expected.Length];
        Attention.Forward(q, k, v, plain, shape, scale, mask, causal, default, SimdLevelInfo.Best, 2, positions);
        NumericsReference.AssertIdentical(expected, plain, "output without probabilities");
    }

    [TestMethod]
    public void KernelsServeOnly64WideHeadsOnAvx512()
    {
        bool avx512 = SimdLevelInfo.IsSupported(SimdLevel.Avx512);
        Assert.AreEqual(avx512, AttentionWork.KernelsServe(SimdLevel.Avx512, new AttentionShape(2, 16, 16, 8, 64)));
        Assert.AreEqual(avx512, AttentionWork.KernelsServe(SimdLevel.Avx512, new AttentionShape(1, 1, 1, 1, 64)));
        Assert.IsFalse(AttentionWork.KernelsServe(SimdLevel.Avx512, new AttentionShape(2, 16, 16, 8, 40)));
        Assert.IsFalse(AttentionWork.KernelsServe(SimdLevel.Avx512, new AttentionShape(2, 16, 16, 8, 8)));
        Assert.IsFalse(AttentionWork.KernelsServe(SimdLevel.Avx512, new AttentionShape(2, 16, 0, 8, 64)));
        Assert.IsFalse(AttentionWork.KernelsServe(SimdLevel.Avx2, new AttentionShape(2, 16, 16, 8, 64)));
        Assert.IsFalse(AttentionWork.KernelsServe(SimdLevel.Scalar, new AttentionShape(2, 16, 16, 8, 64)));
    }

    [TestMethod]
    [DataRow(40)]
    [DataRow(8)]
    public void OtherHeadWidthsFallBackToTheGemmPath(int headDim)
    {
        // Head widths without kernels run the GEMM path on the best instruction set: the same bits as forcing it.
        var shape = new AttentionShape(2, 17, 17, 3, headDim);
        float[] q = NumericsReference.Random(2 * 17 * shape.Width, 86);
        float[] k = NumericsReference.Random(2 * 17 * shape.Width, 87);
        float[] v = NumericsReference.Random(2 * 17 * shape.Width, 88);
        float[] mask = HoledMask(2, 17);
        float[] expected = new float[q.Length];
        Attention.Forward(q, k, v, expected, shape, 0.3f, mask, true, default, SimdLevel.Scalar, 1, default, AttentionPath.Gemm);
        float[] output = new float[q.Length];
        Attention.Forward(q, k, v, output, shape, 0.3f, mask, true, default, SimdLevelInfo.Best, 2);
        NumericsReference.AssertIdentical(expected, output, $"head width {headDim}");
    }

    [TestMethod]
    public void EmptyKeysGiveZeroOutputsOnEveryPath()
    {
        var shape = new AttentionShape(2, 3, 0, 2, 64);
        float[] q = NumericsReference.Random(2 * 3 * shape.Width, 89);
        foreach (AttentionPath path in new[] { AttentionPath.Best, AttentionPath.Gemm })
        {
            float[] output = Enumerable.Repeat(7f, q.Length).ToArray();
            Attention.Forward(q, [], [], output, shape, 1f, default, false, default, SimdLevelInfo.Best, 1, default, path);
            Assert.IsTrue(output.All(x => x == 0f), $"{path}: zeros");
        }
    }

    [TestMethod]
    public void QueriesAtGivenPositionsEqualThoseRowsOfTheFullAttentionBitForBit()
    {
        // One kept row per sequence (the pooled-row path of the last encoder layer): the same scores, softmax and weighted
        // sum as that row of the full self-attention, on every instruction set and thread count.
        const int batch = 4, length = 23, heads = 3, headDim = 16, width = heads * headDim;
        float[] q = NumericsReference.Random(batch * length * width, 73);
        float[] k = NumericsReference.Random(batch * length * width, 74);
        float[] v = NumericsReference.Random(batch * length * width, 75);
        float[] mask = PaddingMask(batch, length);
        int[] rows = [22, 0, 17, 5];
        float[] kept = new float[batch * width];
        for (int b = 0; b < batch; b++)
        {
            Array.Copy(q, ((b * length) + rows[b]) * width, kept, b * width, width);
        }

        foreach (bool causal in new[] { true, false })
        {
            float[] full = new float[q.Length];
            Attention.Forward(q, k, v, full, new AttentionShape(batch, length, length, heads, headDim), 0.25f, mask, causal, default, SimdLevelInfo.Best, 1);
            foreach (SimdLevel level in Enum.GetValues<SimdLevel>().Where(SimdLevelInfo.IsSupported))
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    float[] output = new float[batch * width];
                    Attention.Forward(kept, k, v, output, new AttentionShape(batch, 1, length, heads, headDim), 0.25f, mask, causal, default, level, threads, rows);
                    for (int b = 0; b < batch; b++)
                    {
                        NumericsReference.AssertIdentical(
                            full.AsSpan(((b * length) + rows[b]) * width, width).ToArray(), output.AsSpan(b * width, width).ToArray(),
                            $"sequence {b}, row {rows[b]}, causal {causal}, {level}, {threads} threads");
                    }
                }
            }
        }
    }

    [TestMethod]
    public void BadQueryPositionsAreRejectedByName()
    {
        var shape = new AttentionShape(2, 1, 4, 1, 2);
        float[] q = new float[4], kv = new float[16], output = new float[4];
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Attention.Forward(q, kv, kv, output, shape, 1f, default, true, default, new[] { 0 }));
        StringAssert.Contains(ex.Message, "queryPositions has 1 values but needs one per query, 2");
        ex = Assert.ThrowsExactly<ArgumentException>(() => Attention.Forward(q, kv, kv, output, shape, 1f, default, true, default, new[] { 1, 4 }));
        StringAssert.Contains(ex.Message, "queryPositions[1] is 4, outside the key positions [0, 4)");
    }

    [TestMethod]
    public void TooShortBuffersAreRejectedByName()
    {
        var shape = new AttentionShape(1, 2, 2, 1, 4);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Attention.Forward(new float[8], new float[7], new float[8], new float[8], shape, 1f));
        StringAssert.Contains(ex.Message, "key has 7 values but needs 8");
        ex = Assert.ThrowsExactly<ArgumentException>(() => Attention.Forward(new float[8], new float[8], new float[8], new float[8], shape, 1f, new float[1]));
        StringAssert.Contains(ex.Message, "keyPaddingMask");
    }

    [TestMethod]
    public void SteadyStateCallsDoNotAllocateOnTheCallingThread()
    {
        var shape = new AttentionShape(2, 10, 10, 4, 8);
        float[] q = NumericsReference.Random(2 * 10 * 32, 69);
        float[] output = new float[q.Length];
        Attention.Forward(q, q, q, output, shape, 0.3f, default, true);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Attention.Forward(q, q, q, output, shape, 0.3f, default, true);
        }

        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Sequence b keeps its first lk - 2b keys (at least one).</summary>
    private static float[] PaddingMask(int batch, int lk)
    {
        float[] mask = new float[batch * lk];
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < lk; j++)
            {
                mask[(b * lk) + j] = j < Math.Max(1, lk - (2 * b)) ? 1f : 0f;
            }
        }

        return mask;
    }

    /// <summary>
    /// Sequence 0 keeps every key; sequence 1 (when there are two or more) is all padding; the others drop every third key
    /// (which ones depends on the sequence) and the last two.
    /// </summary>
    private static float[] HoledMask(int batch, int lk)
    {
        float[] mask = new float[batch * lk];
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < lk; j++)
            {
                mask[(b * lk) + j] = b == 0 ? 1f : b == 1 ? 0f : (j + b) % 3 == 1 || j >= lk - 2 ? 0f : 1f;
            }
        }

        return mask;
    }

    /// <summary>Sets about one value in eight to +0 and one in eight to −0.</summary>
    private static float[] WithZeros(float[] values, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < values.Length; i++)
        {
            int draw = random.Next(8);
            values[i] = draw == 0 ? 0f : draw == 1 ? -0f : values[i];
        }

        return values;
    }

    /// <summary>Distinct key positions for each sequence's queries, spread over the keys and ending at the last one for b = 0.</summary>
    private static int[] QueryPositions(int batch, int lq, int lk)
    {
        int[] positions = new int[batch * lq];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < lq; i++)
            {
                positions[(b * lq) + i] = (lk - 1 - (b * 3) - (i * 2) + (4 * lk)) % lk;
            }
        }

        return positions;
    }

    private static void AssertMaskedKeysWeighZero(float[] probabilities, AttentionShape shape, float[] mask, bool causal, int[]? positions = null)
    {
        (int batch, int lq, int lk, int heads, _) = shape;
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < heads; h++)
            {
                for (int i = 0; i < lq; i++)
                {
                    for (int j = 0; j < lk; j++)
                    {
                        int position = positions is null ? i : positions[(b * lq) + i];
                        bool hidden = (causal && j > position) || (mask.Length > 0 && mask[(b * lk) + j] == 0f);
                        if (hidden)
                        {
                            Assert.AreEqual(0f, probabilities[((((b * heads) + h) * lq) + i) * lk + j], $"masked key {j} of query {i}");
                        }
                    }
                }
            }
        }
    }

    private static (double[] Output, double[] Tolerance, double[] Probabilities, double[] ProbabilityTolerance) Reference(
        float[] q, float[] k, float[] v, AttentionShape shape, float scale, float[] mask, bool causal, int[]? positions = null)
    {
        (int batch, int lq, int lk, int heads, int headDim) = shape;
        int width = shape.Width;
        var output = new double[batch * lq * width];
        var tolerance = new double[output.Length];
        var probabilities = new double[batch * heads * lq * lk];
        var probabilityTolerance = new double[probabilities.Length];
        var scores = new double[lk];
        var magnitudes = new double[lk];
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < heads; h++)
            {
                for (int i = 0; i < lq; i++)
                {
                    int position = positions is null ? i : positions[(b * lq) + i];
                    int visible = causal ? Math.Min(position + 1, lk) : lk;
                    var kept = Enumerable.Range(0, visible).Where(j => mask.Length == 0 || mask[(b * lk) + j] != 0f).ToList();
                    Array.Clear(scores);
                    Array.Clear(magnitudes);
                    if (kept.Count == 0)
                    {
                        for (int j = 0; j < visible; j++)
                        {
                            scores[j] = 1.0 / visible;
                        }
                    }
                    else
                    {
                        foreach (int j in kept)
                        {
                            double dot = 0, magnitude = 0;
                            for (int d = 0; d < headDim; d++)
                            {
                                double term = (double)q[(((b * lq) + i) * width) + (h * headDim) + d] * k[(((b * lk) + j) * width) + (h * headDim) + d];
                                dot += term;
                                magnitude += Math.Abs(term);
                            }

                            scores[j] = scale * dot;
                            magnitudes[j] = scale * magnitude;
                        }

                        double max = kept.Max(j => scores[j]);
                        double sum = kept.Sum(j => Math.Exp(scores[j] - max));
                        double[] weights = new double[lk];
                        foreach (int j in kept)
                        {
                            weights[j] = Math.Exp(scores[j] - max) / sum;
                        }

                        Array.Copy(weights, scores, lk);
                    }

                    // A score error δ changes its weight by a factor e^δ (and the others through the sum): bound by 2δ.
                    double scoreSlack = 2 * 1e-5 * (magnitudes.Max() + 1);
                    for (int j = 0; j < lk; j++)
                    {
                        probabilities[((((b * heads) + h) * lq) + i) * lk + j] = scores[j];
                        probabilityTolerance[((((b * heads) + h) * lq) + i) * lk + j] = (1e-5 + scoreSlack) * scores[j];
                    }

                    for (int d = 0; d < headDim; d++)
                    {
                        double sum = 0, magnitude = 0;
                        for (int j = 0; j < lk; j++)
                        {
                            double term = scores[j] * v[(((b * lk) + j) * width) + (h * headDim) + d];
                            sum += term;
                            magnitude += Math.Abs(term);
                        }

                        int at = (((b * lq) + i) * width) + (h * headDim) + d;
                        output[at] = sum;
                        tolerance[at] = (1e-5 + scoreSlack) * magnitude;
                    }
                }
            }
        }

        return (output, tolerance, probabilities, probabilityTolerance);
    }
}
