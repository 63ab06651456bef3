namespace Microsoft.ML.Clip.Tasks;

/// <summary>A classifier over frozen embeddings (few-shot heads).</summary>
public interface IEmbeddingClassifier
{
    /// <summary>The number of classes.</summary>
    int ClassCount { get; }

    /// <summary>The embedding length the classifier expects.</summary>
    int Dimension { get; }

    /// <summary>The class labels, when known.</summary>
    IReadOnlyList<string>? Labels { get; }

    /// <summary>The class logits of one embedding.</summary>
    /// <param name="embedding">The embedding (<see cref="Dimension"/> values).</param>
    /// <returns>One logit per class.</returns>
    float[] Logits(ReadOnlySpan<float> embedding);

    /// <summary>Classifies one embedding.</summary>
    /// <param name="embedding">The embedding.</param>
    /// <returns>The prediction.</returns>
    ClassPrediction Predict(ReadOnlySpan<float> embedding) => new(Logits(embedding), Labels);
}
