namespace Microsoft.ML.Clip.Numerics;

/// <summary>Numerically stable softmax over rows.</summary>
public static class Softmax
{
    /// <summary>Replaces each of <paramref name="rows"/> rows of <paramref name="columns"/> values by its softmax (max subtracted first).</summary>
    /// <param name="values">The rows, row-major.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The row width.</param>
    public static void Rows(Span<float> values, int rows, int columns)
    {
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = values.Slice(r * columns, columns);
            float max = float.NegativeInfinity;
            foreach (float v in row)
            {
                max = MathF.Max(max, v);
            }

            float sum = 0;
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = MathF.Exp(row[i] - max);
                sum += row[i];
            }

            float inverse = 1f / sum;
            for (int i = 0; i < row.Length; i++)
            {
                row[i] *= inverse;
            }
        }
    }
}
