using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// <c>torch.nn.functional.interpolate(mode="bicubic", align_corners=False)</c> on a channels-last grid: the cubic
/// convolution kernel with a = -0.75, source coordinate <c>(dst + 0.5)·in/out − 0.5</c> (not clamped), neighbours clamped
/// to the border. Equal input and output sizes give back the input exactly.
/// </summary>
internal static class BicubicInterpolation
{
    private const double A = -0.75;

    /// <summary>Resizes <c>grid [height, width, channels]</c> to <c>[newHeight, newWidth, channels]</c>.</summary>
    public static Tensor Resize(Tensor grid, int newHeight, int newWidth)
    {
        int height = grid.Dim(0), width = grid.Dim(1), channels = grid.Dim(2);
        var result = new Tensor(newHeight, newWidth, channels);
        var (rowIndex, rowWeight) = Taps(height, newHeight);
        var (columnIndex, columnWeight) = Taps(width, newWidth);
        ReadOnlySpan<float> source = grid.Span;
        Span<float> target = result.Span;
        var accumulator = new double[channels];
        for (int oy = 0; oy < newHeight; oy++)
        {
            for (int ox = 0; ox < newWidth; ox++)
            {
                Array.Clear(accumulator);
                for (int i = 0; i < 4; i++)
                {
                    int y = rowIndex[(oy * 4) + i];
                    double wy = rowWeight[(oy * 4) + i];
                    for (int j = 0; j < 4; j++)
                    {
                        int x = columnIndex[(ox * 4) + j];
                        double w = wy * columnWeight[(ox * 4) + j];
                        ReadOnlySpan<float> pixel = source.Slice(((y * width) + x) * channels, channels);
                        for (int c = 0; c < channels; c++)
                        {
                            accumulator[c] += w * pixel[c];
                        }
                    }
                }

                Span<float> output = target.Slice(((oy * newWidth) + ox) * channels, channels);
                for (int c = 0; c < channels; c++)
                {
                    output[c] = (float)accumulator[c];
                }
            }
        }

        return result;
    }

    /// <summary>For each output position, the 4 clamped source indices and their cubic weights.</summary>
    private static (int[] Index, double[] Weight) Taps(int inputSize, int outputSize)
    {
        var index = new int[outputSize * 4];
        var weight = new double[outputSize * 4];
        double scale = (double)inputSize / outputSize;
        for (int o = 0; o < outputSize; o++)
        {
            double real = ((o + 0.5) * scale) - 0.5;
            int floor = (int)Math.Floor(real);
            double t = real - floor;
            weight[(o * 4) + 0] = Far(t + 1);
            weight[(o * 4) + 1] = Near(t);
            weight[(o * 4) + 2] = Near(1 - t);
            weight[(o * 4) + 3] = Far(2 - t);
            for (int k = 0; k < 4; k++)
            {
                index[(o * 4) + k] = Math.Clamp(floor - 1 + k, 0, inputSize - 1);
            }
        }

        return (index, weight);
    }

    // |x| ≤ 1
    private static double Near(double x) => ((((A + 2) * x) - (A + 3)) * x * x) + 1;

    // 1 < |x| < 2
    private static double Far(double x) => ((((A * x) - (5 * A)) * x) + (8 * A)) * x - (4 * A);
}
