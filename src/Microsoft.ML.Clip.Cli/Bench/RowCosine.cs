using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>How close a reduced-precision output is to the float32 one: the lowest cosine between matching rows.</summary>
internal static class RowCosine
{
    /// <summary>
    /// The lowest cosine similarity (in double precision) between matching rows of <paramref name="reference"/> and
    /// <paramref name="candidate"/>, both <c>[rows, rowLength]</c> flattened (one row per embedding).
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ or are not a multiple of <paramref name="rowLength"/>.</exception>
    public static double Smallest(ReadOnlySpan<float> reference, ReadOnlySpan<float> candidate, int rowLength)
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

    /// <summary>The lowest row cosine over several outputs (rows along each tensor's last axis), pairwise.</summary>
    /// <exception cref="ArgumentException">The sets differ in count, or a pair differs in shape.</exception>
    public static double Smallest(IReadOnlyList<Tensor> reference, IReadOnlyList<Tensor> candidate)
    {
        if (reference.Count != candidate.Count)
        {
            throw new ArgumentException($"Cosine of outputs: {reference.Count} reference outputs against {candidate.Count}.");
        }

        double lowest = double.PositiveInfinity;
        for (int t = 0; t < reference.Count; t++)
        {
            lowest = Math.Min(lowest, Smallest(reference[t].Span, candidate[t].Span, reference[t].Dim(-1)));
        }

        return lowest;
    }
}
