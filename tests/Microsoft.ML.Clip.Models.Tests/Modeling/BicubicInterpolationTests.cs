using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tests.XClip;

namespace Microsoft.ML.Clip.Tests.Modeling;

/// <summary>torch-style bicubic position-grid interpolation, checked by its properties.</summary>
[TestClass]
public sealed class BicubicInterpolationTests
{
    [TestMethod]
    public void SameSizeIsTheIdentity()
    {
        Tensor grid = XClipModelTests.RandomTensor(1, 5, 5, 3);
        CollectionAssert.AreEqual(grid.ToArray(), BicubicInterpolation.Resize(grid, 5, 5).ToArray());
    }

    [TestMethod]
    public void ConstantsStayConstantAtAnySize()
    {
        var grid = new Tensor(4, 4, 2);
        grid.Span.Fill(0.75f);
        Tensor resized = BicubicInterpolation.Resize(grid, 7, 3);
        CollectionAssert.AreEqual(new[] { 7, 3, 2 }, resized.Shape.ToArray());
        foreach (float v in resized.Span)
        {
            Assert.AreEqual(0.75f, v, 1e-6f);
        }
    }

    [TestMethod]
    public void MirroredInputGivesMirroredOutput()
    {
        Tensor grid = XClipModelTests.RandomTensor(2, 4, 4, 1);
        var mirrored = new Tensor(4, 4, 1);
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                mirrored[y, 3 - x, 0] = grid[y, x, 0];
            }
        }

        Tensor a = BicubicInterpolation.Resize(grid, 6, 9);
        Tensor b = BicubicInterpolation.Resize(mirrored, 6, 9);
        for (int y = 0; y < 6; y++)
        {
            for (int x = 0; x < 9; x++)
            {
                Assert.AreEqual(a[y, x, 0], b[y, 8 - x, 0], 1e-5f);
            }
        }
    }

    [TestMethod]
    public void UpsamplingByTwoUsesTheTorchCubicWeights()
    {
        // A 1×4 row [0, 0, 1, 0] upsampled to 1×8: output 3 samples at source x = 1.25 (t = 0.25) with torch's a = -0.75 weights
        // [w(1.25), w(0.25), w(0.75), w(1.75)] on sources 0..3, so the value is w(0.75) = ((a+2)·0.75 − (a+3))·0.75² + 1.
        var grid = new Tensor(new float[] { 0, 0, 1, 0 }, 1, 4, 1);
        Tensor resized = BicubicInterpolation.Resize(grid, 1, 8);
        const double a = -0.75;
        double expected = ((((a + 2) * 0.75) - (a + 3)) * 0.75 * 0.75) + 1;
        Assert.AreEqual(expected, resized[0, 3, 0], 1e-6);
        Assert.AreEqual(0.26171875, expected, 1e-12); // torch’s ×2 bicubic taps are [-0.10546875, 0.87890625, 0.26171875, -0.03515625]
        Assert.AreEqual(-0.10546875, resized[0, 2, 0], 1e-6); // output 2: t = 0.75, source 2 is the last tap
    }
}
