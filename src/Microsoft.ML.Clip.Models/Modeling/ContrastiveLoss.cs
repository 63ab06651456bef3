using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// CLIP's symmetric contrastive loss (<c>clip_loss</c> / <c>x_clip_loss</c>): the mean of the cross-entropy of each row
/// against its diagonal target and of each column against its diagonal target, averaged.
/// </summary>
public static class ContrastiveLoss
{
    /// <summary>Computes the loss from square similarity logits <c>[n, n]</c> (matching pairs on the diagonal).</summary>
    /// <param name="logits">E.g. <c>logits_per_text</c>; must be square.</param>
    /// <returns><c>(CE(logits, arange) + CE(logitsᵀ, arange)) / 2</c>.</returns>
    /// <exception cref="ArgumentException">The logits are not square (the loss needs as many texts as images/videos).</exception>
    public static float Compute(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 2 || logits.Dim(0) != logits.Dim(1))
        {
            throw new ArgumentException(
                $"The contrastive loss needs one text per image/video (square logits), but the logits are {logits}. Pass as many texts as images/videos, in matching order.",
                nameof(logits));
        }

        int n = logits.Dim(0);
        double rows = 0, columns = 0;
        ReadOnlySpan<float> values = logits.Span;
        for (int i = 0; i < n; i++)
        {
            rows += CrossEntropy(values, i, n, byRow: true);
            columns += CrossEntropy(values, i, n, byRow: false);
        }

        return (float)(((rows / n) + (columns / n)) / 2);
    }

    // −log softmax(line)[i] for row i (byRow) or column i.
    private static double CrossEntropy(ReadOnlySpan<float> values, int i, int n, bool byRow)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < n; j++)
        {
            max = Math.Max(max, byRow ? values[(i * n) + j] : values[(j * n) + i]);
        }

        double sum = 0;
        for (int j = 0; j < n; j++)
        {
            sum += Math.Exp((byRow ? values[(i * n) + j] : values[(j * n) + i]) - max);
        }

        return max + Math.Log(sum) - values[(i * n) + i];
    }
}
