using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>Row-wise vector helpers: L2 normalisation (CLIP's embedding normalisation) and the mean over an axis.</summary>
public static class Vectors
{
    /// <summary>
    /// Divides each of <paramref name="rows"/> rows of <paramref name="width"/> values by its L2 norm, in place, as
    /// <c>x / x.norm(p=2, dim=-1, keepdim=True)</c> does in <c>transformers</c> (no epsilon: a zero row becomes NaN).
    /// </summary>
    /// <param name="values">The rows, row-major <c>[rows, width]</c>.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="width">The row width.</param>
    public static void L2Normalize(Span<float> values, int rows, int width)
    {
        if (rows < 0 || width < 0 || values.Length < (long)rows * width)
        {
            throw new ArgumentException($"L2 normalisation of {rows} rows of {width} needs {(long)rows * width} values; got {values.Length}.", nameof(values));
        }

        for (int r = 0; r < rows; r++)
        {
            Span<float> row = values.Slice(r * width, width);
            float norm = (float)Math.Sqrt(RowStatistics.SumOfSquares(row));
            System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
        }
    }

    /// <summary>Divides every vector along the last axis of <paramref name="tensor"/> by its L2 norm, in place.</summary>
    /// <param name="tensor">Any shape; the last axis is normalised.</param>
    public static void L2Normalize(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        int width = tensor.Rank == 0 ? 1 : tensor.Dim(-1);
        L2Normalize(tensor.Span, width == 0 ? 0 : tensor.Length / width, width);
    }

    /// <summary>
    /// The mean over the middle axis of <c>[outer, length, inner]</c>: <c>output[o, i] = (1/length)·Σ_l input[o, l, i]</c>,
    /// summed in float in order of <c>l</c> (as torch's <c>mean(dim)</c> over a short axis), then divided by length.
    /// </summary>
    /// <param name="input">The values, <c>[outer, length, inner]</c>.</param>
    /// <param name="output">The means, <c>[outer, inner]</c>.</param>
    /// <param name="outer">The product of the axes before the reduced one.</param>
    /// <param name="length">The reduced axis's size (≥ 1).</param>
    /// <param name="inner">The product of the axes after the reduced one.</param>
    public static void Mean(ReadOnlySpan<float> input, Span<float> output, int outer, int length, int inner)
    {
        if (outer < 0 || inner < 0 || length < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"A mean needs outer ≥ 0, inner ≥ 0 and length ≥ 1; got outer={outer}, length={length}, inner={inner}.");
        }

        if (input.Length < (long)outer * length * inner || output.Length < (long)outer * inner)
        {
            throw new ArgumentException(
                $"A mean over [{outer}, {length}, {inner}] needs {(long)outer * length * inner} inputs and {(long)outer * inner} outputs; got {input.Length} and {output.Length}.");
        }

        for (int o = 0; o < outer; o++)
        {
            Span<float> sum = output.Slice(o * inner, inner);
            input.Slice(o * length * inner, inner).CopyTo(sum);
            for (int l = 1; l < length; l++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(sum, input.Slice(((o * length) + l) * inner, inner), sum);
            }

            System.Numerics.Tensors.TensorPrimitives.Divide(sum, length, sum);
        }
    }

    /// <summary>The mean of <paramref name="input"/> over <paramref name="axis"/>, which is removed from the shape.</summary>
    /// <param name="input">The tensor.</param>
    /// <param name="axis">The axis to average; negative counts from the end.</param>
    public static Tensor Mean(Tensor input, int axis)
    {
        ArgumentNullException.ThrowIfNull(input);
        int resolved = axis < 0 ? axis + input.Rank : axis;
        int length = input.Dim(axis);
        if (length == 0)
        {
            throw new ArgumentException($"Cannot average over axis {axis} of {input}: it is empty.", nameof(axis));
        }

        int outer = 1, inner = 1;
        for (int i = 0; i < resolved; i++)
        {
            outer *= input.Dim(i);
        }

        for (int i = resolved + 1; i < input.Rank; i++)
        {
            inner *= input.Dim(i);
        }

        int[] shape = [.. input.Shape[..resolved], .. input.Shape[(resolved + 1)..]];
        var output = new Tensor(shape);
        Mean(input.Span, output.Span, outer, length, inner);
        return output;
    }
}
