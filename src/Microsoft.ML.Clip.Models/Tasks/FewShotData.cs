namespace Microsoft.ML.Clip.Tasks;

/// <summary>Argument checks shared by the few-shot heads.</summary>
internal static class FewShotData
{
    /// <summary>Checks embeddings/labels agree and returns (dimension, classCount).</summary>
    public static (int Dimension, int ClassCount) Check(IReadOnlyList<float[]> embeddings, IReadOnlyList<int> labels, int classCount, IReadOnlyList<string>? labelNames)
    {
        int dimension = EmbeddingMath.CheckSameLength(embeddings, -1, "Training embeddings");
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != embeddings.Count)
        {
            throw new ArgumentException($"Got {embeddings.Count} embeddings but {labels.Count} labels; give one label per embedding.", nameof(labels));
        }

        if (classCount <= 0)
        {
            classCount = labelNames?.Count ?? (labels.Max() + 1);
        }

        if (labelNames is not null && labelNames.Count != classCount)
        {
            throw new ArgumentException($"Got {labelNames.Count} label names for {classCount} classes.", nameof(labelNames));
        }

        var seen = new bool[classCount];
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= classCount)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} of example {i} is outside [0, {classCount}).");
            }

            seen[labels[i]] = true;
        }

        int missing = Array.IndexOf(seen, false);
        if (missing >= 0)
        {
            string name = labelNames is not null ? $" ('{labelNames[missing]}')" : string.Empty;
            throw new ArgumentException($"Class {missing}{name} has no training example; every class needs at least one.", nameof(labels));
        }

        return (dimension, classCount);
    }
}
