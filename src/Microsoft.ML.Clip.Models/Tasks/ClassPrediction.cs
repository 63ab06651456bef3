namespace Microsoft.ML.Clip.Tasks;

/// <summary>A classifier's answer for one input: logits, softmax probabilities and the winning class.</summary>
public sealed class ClassPrediction
{
    /// <summary>Creates a prediction from logits (probabilities are their softmax, the winner their argmax).</summary>
    /// <param name="logits">One logit per class.</param>
    /// <param name="labels">The class labels, or <see langword="null"/>.</param>
    public ClassPrediction(float[] logits, IReadOnlyList<string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Length == 0)
        {
            throw new ArgumentException("A prediction needs at least one class logit.", nameof(logits));
        }

        Logits = logits;
        Probabilities = EmbeddingMath.Softmax(logits);
        PredictedIndex = EmbeddingMath.ArgMax(logits);
        PredictedLabel = labels is not null && PredictedIndex < labels.Count ? labels[PredictedIndex] : null;
    }

    /// <summary>One logit per class.</summary>
    public float[] Logits { get; }

    /// <summary>Softmax of <see cref="Logits"/>.</summary>
    public float[] Probabilities { get; }

    /// <summary>The index of the class with the largest logit (first one on ties).</summary>
    public int PredictedIndex { get; }

    /// <summary>The label of <see cref="PredictedIndex"/>, when the classifier has labels.</summary>
    public string? PredictedLabel { get; }
}
