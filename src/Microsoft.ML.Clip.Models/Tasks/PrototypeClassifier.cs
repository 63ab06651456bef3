using System.Numerics.Tensors;

namespace Microsoft.ML.Clip.Tasks;

/// <summary>
/// Nearest class mean with cosine similarity: each class's prototype is the renormalised mean of
/// its L2-normalised examples; <c>logit_c = scale · cos(x, prototype_c)</c>. Training-free, for 1–few shots.
/// </summary>
public sealed class PrototypeClassifier : IEmbeddingClassifier
{
    private readonly float[][] _prototypes;

    /// <summary>Creates a classifier from given unit-norm (or any: they are normalised) prototypes.</summary>
    /// <param name="prototypes">One prototype per class.</param>
    /// <param name="labels">The class labels, or <see langword="null"/>.</param>
    /// <param name="logitScale">The multiplier of cosine similarities (sets how peaked the probabilities are).</param>
    public PrototypeClassifier(IReadOnlyList<float[]> prototypes, IReadOnlyList<string>? labels = null, float logitScale = 100f)
    {
        Dimension = EmbeddingMath.CheckSameLength(prototypes, -1, "Prototypes");
        if (labels is not null && labels.Count != prototypes.Count)
        {
            throw new ArgumentException($"Got {labels.Count} labels for {prototypes.Count} prototypes.", nameof(labels));
        }

        _prototypes = prototypes.Select(p => EmbeddingMath.Normalized(p)).ToArray();
        Labels = labels?.ToArray();
        LogitScale = logitScale;
    }

    /// <inheritdoc />
    public int ClassCount => _prototypes.Length;

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public IReadOnlyList<string>? Labels { get; }

    /// <summary>The multiplier of cosine similarities.</summary>
    public float LogitScale { get; }

    /// <summary>The unit-norm prototype of class <paramref name="classIndex"/>.</summary>
    /// <param name="classIndex">The class.</param>
    /// <returns>The prototype.</returns>
    public ReadOnlySpan<float> Prototype(int classIndex) => _prototypes[classIndex];

    /// <summary>Builds prototypes from labelled examples.</summary>
    /// <param name="embeddings">The examples' embeddings.</param>
    /// <param name="labels">The class index of each example.</param>
    /// <param name="classCount">The number of classes (0: from <paramref name="labelNames"/> or the largest label).</param>
    /// <param name="labelNames">The class labels, or <see langword="null"/>.</param>
    /// <param name="logitScale">The multiplier of cosine similarities.</param>
    /// <returns>The classifier.</returns>
    public static PrototypeClassifier Fit(IReadOnlyList<float[]> embeddings, IReadOnlyList<int> labels, int classCount = 0, IReadOnlyList<string>? labelNames = null, float logitScale = 100f)
    {
        (int d, int c) = FewShotData.Check(embeddings, labels, classCount, labelNames);
        var sums = new float[c][];
        for (int k = 0; k < c; k++)
        {
            sums[k] = new float[d];
        }

        for (int i = 0; i < embeddings.Count; i++)
        {
            float[] e = EmbeddingMath.Normalized(embeddings[i]);
            TensorPrimitives.Add(sums[labels[i]], e, sums[labels[i]]);
        }

        return new PrototypeClassifier(sums, labelNames, logitScale);
    }

    /// <inheritdoc />
    public float[] Logits(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != Dimension)
        {
            throw new ArgumentException($"The prototypes have {Dimension} values, the embedding {embedding.Length}.", nameof(embedding));
        }

        float[] e = EmbeddingMath.Normalized(embedding);
        var result = new float[ClassCount];
        for (int k = 0; k < ClassCount; k++)
        {
            result[k] = LogitScale * TensorPrimitives.Dot(e, _prototypes[k]);
        }

        return result;
    }

    /// <summary>Classifies one embedding.</summary>
    /// <param name="embedding">The embedding.</param>
    /// <returns>The prediction.</returns>
    public ClassPrediction Predict(ReadOnlySpan<float> embedding) => new(Logits(embedding), Labels);
}
