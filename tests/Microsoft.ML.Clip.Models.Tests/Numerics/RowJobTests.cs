using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Clip.Tests.Numerics;

/// <summary>
/// The row-parallel residual add + layer norm (<see cref="RowJob"/>) against the sequential reference it replaces:
/// <c>TensorPrimitives.Add</c> then <see cref="LayerNorm.Forward(ReadOnlySpan{float}, Span{float}, int)"/> row by row
/// on one thread. Bit-identical for every thread count (each row is one thread's, computed the same way).
/// </summary>
[TestClass]
public sealed class RowJobTests
{
    private static readonly int[] ThreadCounts = [1, 2, 3, 8];

    [TestMethod]
    public void LayerNormOnThreadsEqualsOneThread()
    {
        foreach ((int rows, int width) in new[] { (1, 768), (3, 7), (50, 768), (408, 768), (512, 1024) })
        {
            LayerNorm norm = Norm(width, seed: rows);
            float[] x = NumericsReference.Random(rows * width, 3 * rows);
            float[] expected = SequentialNorm(norm, x, rows);
            foreach (int threads in ThreadCounts)
            {
                float[] y = new float[x.Length];
                norm.Forward(x, y, rows, threads);
                NumericsReference.AssertIdentical(expected, y, $"layer norm {rows}×{width} on {threads} thread(s)");

                float[] inPlace = (float[])x.Clone();
                norm.Forward(inPlace, inPlace, rows, threads);
                NumericsReference.AssertIdentical(expected, inPlace, $"in-place layer norm {rows}×{width} on {threads} thread(s)");
            }
        }
    }

    [TestMethod]
    public void AddAndForwardEqualsAddThenNorm()
    {
        foreach ((int rows, int width) in new[] { (2, 33), (400, 768), (512, 1024) })
        {
            LayerNorm norm = Norm(width, seed: width);
            float[] residual = NumericsReference.Random(rows * width, 5);
            float[] update = NumericsReference.Random(rows * width, 6);
            float[] expectedSum = new float[residual.Length];
            TensorPrimitives.Add(residual, update, expectedSum);
            float[] expectedNorm = SequentialNorm(norm, expectedSum, rows);
            foreach (int threads in ThreadCounts)
            {
                float[] sum = new float[residual.Length], output = new float[residual.Length];
                norm.AddAndForward(residual, update, sum, output, rows, rows, rows, threads);
                NumericsReference.AssertIdentical(expectedSum, sum, $"sum {rows}×{width} on {threads} thread(s)");
                NumericsReference.AssertIdentical(expectedNorm, output, $"norm of the sum {rows}×{width} on {threads} thread(s)");

                // In place, as the post-LN XLM-R layer calls it: residual, sum and output are one buffer.
                float[] inPlace = (float[])residual.Clone();
                norm.AddAndForward(inPlace, update, inPlace, inPlace, rows, rows, rows, threads);
                NumericsReference.AssertIdentical(expectedNorm, inPlace, $"in-place residual norm {rows}×{width} on {threads} thread(s)");
            }
        }
    }

    [TestMethod]
    public void AddAndForwardSkipsTheRowAfterEachGroup()
    {
        // X-CLIP: 8 frames × (50 tokens + 1 message token); the output keeps each frame's 50 tokens.
        const int frames = 8, length = 50, width = 768;
        LayerNorm norm = Norm(width, seed: 9);
        float[] residual = NumericsReference.Random(frames * (length + 1) * width, 10);
        float[] update = NumericsReference.Random(frames * (length + 1) * width, 11);
        float[] expectedSum = new float[frames * length * width];
        for (int f = 0; f < frames; f++)
        {
            int from = f * (length + 1) * width, to = f * length * width, count = length * width;
            TensorPrimitives.Add(residual.AsSpan(from, count), update.AsSpan(from, count), expectedSum.AsSpan(to, count));
        }

        float[] expectedNorm = SequentialNorm(norm, expectedSum, frames * length);
        foreach (int threads in ThreadCounts)
        {
            float[] sum = new float[expectedSum.Length], output = new float[expectedSum.Length];
            norm.AddAndForward(residual, update, sum, output, frames * length, length, length + 1, threads);
            NumericsReference.AssertIdentical(expectedSum, sum, $"grouped sum on {threads} thread(s)");
            NumericsReference.AssertIdentical(expectedNorm, output, $"grouped norm on {threads} thread(s)");
        }
    }

    [TestMethod]
    public void ForwardGroupsNormsEachFramesPatchRowsInPlace()
    {
        // X-CLIP's visual prompts: 8 frames × (1 class + 49 patch tokens); the norm reads each frame's 49 patch rows.
        foreach ((int frames, int patches, int width) in new[] { (8, 49, 768), (3, 5, 7), (1, 1, 16) })
        {
            int tokens = patches + 1;
            LayerNorm norm = Norm(width, seed: frames + patches);
            float[] hidden = NumericsReference.Random(frames * tokens * width, 14 + frames);
            float[] copied = new float[frames * patches * width];
            for (int f = 0; f < frames; f++)
            {
                hidden.AsSpan(((f * tokens) + 1) * width, patches * width).CopyTo(copied.AsSpan(f * patches * width));
            }

            float[] expected = SequentialNorm(norm, copied, frames * patches);
            foreach (int threads in ThreadCounts)
            {
                float[] output = new float[copied.Length];
                norm.ForwardGroups(hidden.AsSpan(width), output, frames * patches, patches, tokens, threads);
                NumericsReference.AssertIdentical(expected, output, $"patch rows of {frames} frame(s) × {patches} × {width} on {threads} thread(s)");
            }
        }
    }

    [TestMethod]
    public void AddOnThreadsEqualsTensorPrimitivesAdd()
    {
        const int rows = 400, width = 768;
        float[] a = NumericsReference.Random(rows * width, 12), b = NumericsReference.Random(rows * width, 13);
        float[] expected = new float[a.Length];
        TensorPrimitives.Add(a, b, expected);
        foreach (int threads in ThreadCounts)
        {
            float[] sum = (float[])a.Clone();
            RowJob.Add(sum, b, sum, width, threads);
            NumericsReference.AssertIdentical(expected, sum, $"row add on {threads} thread(s)");
        }
    }

    [TestMethod]
    public void MisfittingShapesAreRejected()
    {
        LayerNorm norm = Norm(4, seed: 1);
        float[] buffer = new float[4 * 6];
        Assert.ThrowsExactly<ArgumentException>(() => norm.AddAndForward(buffer, buffer, buffer, buffer, rows: 5, groupRows: 2, inputGroupRows: 3, maxThreads: 1));
        Assert.ThrowsExactly<ArgumentException>(() => norm.AddAndForward(buffer, buffer, buffer, buffer, rows: 6, groupRows: 3, inputGroupRows: 4, maxThreads: 1));
        Assert.ThrowsExactly<ArgumentException>(() => RowJob.Add(buffer, buffer, buffer, width: 5, maxThreads: 1));

        // Groups: rows not a multiple of the group, a group longer than its input group, an input one row short.
        Assert.ThrowsExactly<ArgumentException>(() => norm.ForwardGroups(buffer, buffer, rows: 3, groupRows: 2, inputGroupRows: 3, maxThreads: 1));
        Assert.ThrowsExactly<ArgumentException>(() => norm.ForwardGroups(buffer, buffer, rows: 2, groupRows: 2, inputGroupRows: 1, maxThreads: 1));
        var error = Assert.ThrowsExactly<ArgumentException>(() => norm.ForwardGroups(buffer.AsSpan(8), buffer, rows: 4, groupRows: 2, inputGroupRows: 3, maxThreads: 1));
        StringAssert.Contains(error.Message, "needs an input of 20 values");
    }

    private static LayerNorm Norm(int width, int seed) =>
        new(new Tensor(NumericsReference.Random(width, seed + 100), width), new Tensor(NumericsReference.Random(width, seed + 200), width), 1e-5f);

    /// <summary>The reference: the row loop on the calling thread, one row at a time.</summary>
    private static float[] SequentialNorm(LayerNorm norm, float[] x, int rows)
    {
        int width = norm.Width;
        float[] y = new float[x.Length];
        for (int r = 0; r < rows; r++)
        {
            norm.Forward(x.AsSpan(r * width, width), y.AsSpan(r * width, width), 1, maxThreads: 1);
        }

        return y;
    }
}
