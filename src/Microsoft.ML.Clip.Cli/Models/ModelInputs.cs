using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tokenizers;

namespace Microsoft.ML.Clip.Cli.Models;

/// <summary>Small conversions between tokenizer/processor outputs and model inputs/outputs.</summary>
internal static class ModelInputs
{
    /// <summary>Tokenizes texts padded to the longest, truncated to the tokenizer's maximum (as the processors do with <c>padding=True, truncation=True</c>).</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="texts">The texts.</param>
    public static TokenBatch Tokenize(TextTokenizer tokenizer, IReadOnlyList<string> texts)
    {
        return TokenBatch.From(tokenizer.EncodeBatch(texts, maxLength: null, Padding.Longest, truncation: true));
    }

    /// <summary>The rows of a <c>[n, d]</c> tensor as arrays.</summary>
    /// <param name="matrix">The tensor.</param>
    public static float[][] Rows(Tensor matrix)
    {
        int n = matrix.Dim(0), d = matrix.Length / Math.Max(1, n);
        var rows = new float[n][];
        for (int i = 0; i < n; i++)
        {
            rows[i] = matrix.Span.Slice(i * d, d).ToArray();
        }

        return rows;
    }

    /// <summary>Averages consecutive groups of rows: <c>counts[i]</c> rows make output row i.</summary>
    /// <param name="rows">The rows.</param>
    /// <param name="counts">Group sizes, summing to the number of rows.</param>
    public static float[][] AverageGroups(float[][] rows, IReadOnlyList<int> counts)
    {
        var result = new float[counts.Count][];
        int start = 0;
        for (int g = 0; g < counts.Count; g++)
        {
            if (counts[g] == 1)
            {
                result[g] = rows[start];
            }
            else
            {
                var mean = new float[rows[start].Length];
                for (int r = start; r < start + counts[g]; r++)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(mean, rows[r], mean);
                }

                System.Numerics.Tensors.TensorPrimitives.Divide(mean, counts[g], mean);
                result[g] = mean;
            }

            start += counts[g];
        }

        return result;
    }
}
