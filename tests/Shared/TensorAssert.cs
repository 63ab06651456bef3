using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Testing;

/// <summary>Assertions on float tensors that report where and by how much they differ.</summary>
internal static class TensorAssert
{
    /// <summary>Asserts equal shapes and max |expected − actual| ≤ <paramref name="tolerance"/>.</summary>
    public static void Close(Tensor expected, Tensor actual, float tolerance, string what)
    {
        CollectionAssert.AreEqual(expected.Shape.ToArray(), actual.Shape.ToArray(),
            $"{what}: shape {actual} differs from the expected {expected}.");
        Close(expected.Span, actual.Span, tolerance, what);
    }

    /// <summary>Asserts equal lengths and max |expected − actual| ≤ <paramref name="tolerance"/> (NaN never passes).</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length differs.");
        float worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            float diff = MathF.Abs(expected[i] - actual[i]);
            if (float.IsNaN(diff) || diff > worst)
            {
                worst = float.IsNaN(diff) ? float.PositiveInfinity : diff;
                worstAt = i;
            }
        }

        Assert.IsTrue(worst <= tolerance,
            $"{what}: max |Δ| = {worst:G6} at flat index {worstAt} (expected {(worstAt >= 0 ? expected[worstAt] : 0):G9}, got {(worstAt >= 0 ? actual[worstAt] : 0):G9}); tolerance {tolerance:G3}.");
    }
}
