namespace Microsoft.ML.Clip.Tasks;

/// <summary>
/// Scores inputs (videos or images) against classes described by one or more prompts each, returning
/// the model's logits (before softmax). X-CLIP implements this with its video-conditioned forward
/// (<c>logits_per_video</c>); CLIP-style models with scaled cosine similarities of embeddings.
/// </summary>
/// <typeparam name="TInput">The input kind (<see cref="VideoInput"/> or <see cref="ImageInput"/>).</typeparam>
/// <remarks>Implementations must be safe to call from several threads at once.</remarks>
public interface IZeroShotScorer<TInput>
{
    /// <summary>Computes one logit per class for each input.</summary>
    /// <param name="inputs">The inputs, scored in one batch.</param>
    /// <param name="classPrompts">For each class, its prompts (the label put into each template); the class's logit combines them.</param>
    /// <returns><c>[inputs.Count][classPrompts.Count]</c> logits.</returns>
    float[][] ScoreLogits(IReadOnlyList<TInput> inputs, IReadOnlyList<IReadOnlyList<string>> classPrompts);

    /// <summary>
    /// Computes one logit per class for each input, stopping early when <paramref name="cancellationToken"/> is cancelled
    /// (decoding is the long part). An implementation without its own cancellation checks the token once, first.
    /// </summary>
    /// <param name="inputs">The inputs, scored in one batch.</param>
    /// <param name="classPrompts">For each class, its prompts.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>[inputs.Count][classPrompts.Count]</c> logits.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    float[][] ScoreLogits(IReadOnlyList<TInput> inputs, IReadOnlyList<IReadOnlyList<string>> classPrompts, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ScoreLogits(inputs, classPrompts);
    }
}
