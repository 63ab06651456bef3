namespace Microsoft.ML.Clip.Benchmarks.Onnx;

/// <summary>How close a reduced-precision output is to the float32 one.</summary>
internal static class Accuracy
{
    /// <summary>
    /// The lowest cosine similarity between matching rows of <paramref name="reference"/> and <paramref name="candidate"/>,
    /// both <c>[rows, rowLength]</c> flattened (embeddings: one row per embedding), in double precision.
    /// </summary>
    public static double MinRowCosine(float[] reference, float[] candidate, int rowLength)
    {
        if (reference.Length != candidate.Length || rowLength <= 0 || reference.Length % rowLength != 0)
        {
            throw new ArgumentException(
                $"Cosine of rows of {rowLength}: the outputs have {reference.Length} and {candidate.Length} values; expected equal lengths, a multiple of {rowLength}.");
        }

        double lowest = double.PositiveInfinity;
        for (int start = 0; start < reference.Length; start += rowLength)
        {
            double dot = 0, a = 0, b = 0;
            for (int i = start; i < start + rowLength; i++)
            {
                dot += (double)reference[i] * candidate[i];
                a += (double)reference[i] * reference[i];
                b += (double)candidate[i] * candidate[i];
            }

            lowest = Math.Min(lowest, dot / Math.Sqrt(a * b));
        }

        return lowest;
    }
}
