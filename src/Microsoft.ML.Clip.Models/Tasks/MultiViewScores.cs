namespace Microsoft.ML.Clip.Tasks;

/// <summary>
/// The one zero-shot rule for inputs seen as several views (the clips of <c>FrameSampling.Clips</c>, or the frames an
/// image model takes from a video): each view's class logits go through a softmax and the input's class probabilities
/// are the mean over its views — X-CLIP's multi-view test (microsoft/VideoX, <c>X-CLIP/main.py</c> <c>validate</c>:
/// <c>tot_similarity += output.softmax(dim=-1)</c> over the clips; <c>transformers</c> has no multi-view rule). The
/// combined scores are returned as logits, <c>log(mean probability)</c>, so that the softmax every caller applies to
/// <see cref="IZeroShotScorer{TInput}.ScoreLogits(IReadOnlyList{TInput}, IReadOnlyList{IReadOnlyList{string}})"/> gives exactly those mean probabilities; an input of one view keeps
/// its model logits.
/// </summary>
internal static class MultiViewScores
{
    /// <summary>Combines per-view logits into per-input logits.</summary>
    /// <param name="viewLogits"><c>[views][classes]</c>: the views of input 0, then of input 1, ….</param>
    /// <param name="viewsPerInput">How many consecutive views each input has.</param>
    /// <returns><c>[inputs][classes]</c>.</returns>
    public static float[][] Combine(float[][] viewLogits, IReadOnlyList<int> viewsPerInput)
    {
        var result = new float[viewsPerInput.Count][];
        int view = 0;
        for (int i = 0; i < viewsPerInput.Count; i++)
        {
            int views = viewsPerInput[i];
            if (views == 1)
            {
                result[i] = viewLogits[view++];
                continue;
            }

            // Softmax in double: logits are scaled by exp(logit_scale) ≈ 100, so a class 200 below the best has a
            // probability (e^-200) a float rounds to 0, whose log would be -∞; in double its log stays finite.
            int classes = viewLogits[view].Length;
            var mean = new double[classes];
            for (int v = 0; v < views; v++, view++)
            {
                float[] logits = viewLogits[view];
                double max = logits.Max(), sum = 0;
                foreach (float l in logits)
                {
                    sum += Math.Exp(l - max);
                }

                for (int c = 0; c < classes; c++)
                {
                    mean[c] += Math.Exp(logits[c] - max) / sum / views;
                }
            }

            result[i] = mean.Select(p => (float)Math.Log(p)).ToArray();
        }

        return result;
    }
}
