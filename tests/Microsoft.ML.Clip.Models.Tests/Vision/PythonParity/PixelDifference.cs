using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision.PythonParity;

/// <summary>How two RGB images differ: size, largest per-byte difference, number of differing bytes.</summary>
internal static class PixelDifference
{
    /// <summary>Null when the images are byte-identical, else a description of the difference.</summary>
    public static string? Describe(RgbImage actual, RgbImage expected)
    {
        if ((actual.Width, actual.Height) != (expected.Width, expected.Height))
        {
            return $"size {actual.Width}×{actual.Height}, expected {expected.Width}×{expected.Height}";
        }

        (int max, int count) = Compare(actual, expected);
        return count == 0 ? null : $"{count} of {actual.Pixels.Length} bytes differ, max |Δ| {max}/255";
    }

    /// <summary>The largest per-byte difference and the number of differing bytes of two images of one size.</summary>
    public static (int Max, int Count) Compare(RgbImage actual, RgbImage expected)
    {
        int max = 0, count = 0;
        for (int i = 0; i < actual.Pixels.Length; i++)
        {
            int d = Math.Abs(actual.Pixels[i] - expected.Pixels[i]);
            if (d > 0)
            {
                count++;
                max = Math.Max(max, d);
            }
        }

        return (max, count);
    }
}
