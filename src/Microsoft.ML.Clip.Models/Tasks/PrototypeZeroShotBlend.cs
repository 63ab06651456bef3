namespace Microsoft.ML.Clip.Tasks;

/// <summary>
/// Training-free few-shot classifier for 1–4 shots: blends prototype logits (from the few labelled
/// examples) with zero-shot text logits (from the class prompts):
/// <c>logits = w · scale · cos(x, prototype_c) + (1 − w) · scale · cos(x, text_c)</c>.
/// With <c>w = 0</c> it is the zero-shot classifier, with <c>w = 1</c> the prototype classifier.
/// </summary>
public sealed class PrototypeZeroShotBlend : IEmbeddingClassifier
{
    private readonly PrototypeClassifier _prototypes;
    private readonly PrototypeClassifier _text;

    /// <summary>Creates the blend.</summary>
    /// <param name="prototypes">The class prototypes (from <see cref="PrototypeClassifier.Fit"/>).</param>
    /// <param name="classTextEmbeddings">One text embedding per class, same order (e.g. <see cref="EmbeddingZeroShotScorer{TInput}.ClassEmbeddings"/>).</param>
    /// <param name="prototypeWeight">The weight <c>w</c> of the prototype logits, in [0, 1].</param>
    public PrototypeZeroShotBlend(PrototypeClassifier prototypes, IReadOnlyList<float[]> classTextEmbeddings, float prototypeWeight = 0.5f)
    {
        _prototypes = prototypes ?? throw new ArgumentNullException(nameof(prototypes));
        if (prototypeWeight is < 0 or > 1 || float.IsNaN(prototypeWeight))
        {
            throw new ArgumentOutOfRangeException(nameof(prototypeWeight), prototypeWeight, "The prototype weight must lie in [0, 1].");
        }

        ArgumentNullException.ThrowIfNull(classTextEmbeddings);
        if (classTextEmbeddings.Count != prototypes.ClassCount)
        {
            throw new ArgumentException($"Got {classTextEmbeddings.Count} class text embeddings for {prototypes.ClassCount} prototype classes.", nameof(classTextEmbeddings));
        }

        _text = new PrototypeClassifier(classTextEmbeddings, prototypes.Labels, prototypes.LogitScale);
        if (_text.Dimension != prototypes.Dimension)
        {
            throw new ArgumentException($"Text embeddings have {_text.Dimension} values, the prototypes {prototypes.Dimension}: use the same model for both.", nameof(classTextEmbeddings));
        }

        PrototypeWeight = prototypeWeight;
    }

    /// <summary>The weight of the prototype logits.</summary>
    public float PrototypeWeight { get; }

    /// <inheritdoc />
    public int ClassCount => _prototypes.ClassCount;

    /// <inheritdoc />
    public int Dimension => _prototypes.Dimension;

    /// <inheritdoc />
    public IReadOnlyList<string>? Labels => _prototypes.Labels;

    /// <inheritdoc />
    public float[] Logits(ReadOnlySpan<float> embedding)
    {
        float[] p = _prototypes.Logits(embedding);
        float[] t = _text.Logits(embedding);
        for (int k = 0; k < p.Length; k++)
        {
            p[k] = (PrototypeWeight * p[k]) + ((1 - PrototypeWeight) * t[k]);
        }

        return p;
    }

    /// <summary>Classifies one embedding.</summary>
    /// <param name="embedding">The embedding.</param>
    /// <returns>The prediction.</returns>
    public ClassPrediction Predict(ReadOnlySpan<float> embedding) => new(Logits(embedding), Labels);
}
