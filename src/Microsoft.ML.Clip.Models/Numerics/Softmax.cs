using System.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>Numerically stable softmax over rows, vectorised.</summary>
public static class Softmax
{
    /// <summary>Replaces each of <paramref name="rows"/> rows of <paramref name="columns"/> values by its softmax (max subtracted first).</summary>
    /// <param name="values">The rows, row-major.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The row width.</param>
    /// <remarks>A row whose maximum is infinite (e.g. all <c>-∞</c>) becomes NaN, as in torch.</remarks>
    public static void Rows(Span<float> values, int rows, int columns)
    {
        if (rows < 0 || columns < 0 || values.Length < (long)rows * columns)
        {
            throw new ArgumentException($"Softmax of {rows} rows of {columns} needs {(long)rows * columns} values; got {values.Length}.", nameof(values));
        }

        for (int r = 0; r < rows; r++)
        {
            Row(values.Slice(r * columns, columns));
        }
    }

    /// <summary>Replaces <paramref name="row"/> by its softmax: <c>e^(x - max) / Σ e^(x - max)</c>.</summary>
    /// <param name="row">The values.</param>
    public static void Row(Span<float> row)
    {
        if (row.IsEmpty)
        {
            return;
        }

        float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
        if (float.IsInfinity(max) || float.IsNaN(max))
        {
            row.Fill(float.NaN);
            return;
        }

        int count = Vector<float>.Count;
        var m = new Vector<float>(max);
        Vector<float> acc = Vector<float>.Zero;
        int i = 0;
        for (; i <= row.Length - count; i += count)
        {
            Vector<float> e = VectorMath.Exp(new Vector<float>(row[i..]) - m);
            e.CopyTo(row[i..]);
            acc += e;
        }

        float sum = Vector.Sum(acc);
        if (i < row.Length)
        {
            // The tail through a padded vector (-∞ → e = 0), so it uses the same exp as the body.
            Span<float> tail = stackalloc float[count];
            tail.Fill(float.NegativeInfinity);
            row[i..].CopyTo(tail);
            Vector<float> e = VectorMath.Exp(new Vector<float>(tail) - m);
            e.CopyTo(tail);
            sum += Vector.Sum(e);
            tail[..(row.Length - i)].CopyTo(row[i..]);
        }

        System.Numerics.Tensors.TensorPrimitives.Multiply(row, 1f / sum, row);
    }
}
