using System.Numerics.Tensors;

namespace Microsoft.ML.Clip.Tasks;

/// <summary>Small vector helpers shared by the task heads (L2 normalisation, cosine logits, argmax).</summary>
public static class EmbeddingMath
{
    /// <summary>Returns a copy of <paramref name="vector"/> scaled to unit L2 norm (a zero vector stays zero).</summary>
    /// <param name="vector">The vector.</param>
    /// <returns>The normalised copy.</returns>
    public static float[] Normalized(ReadOnlySpan<float> vector)
    {
        var result = vector.ToArray();
        NormalizeInPlace(result);
        return result;
    }

    /// <summary>Scales <paramref name="vector"/> to unit L2 norm in place (a zero vector stays zero).</summary>
    /// <param name="vector">The vector.</param>
    public static void NormalizeInPlace(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }

    /// <summary>Checks that every embedding has <paramref name="dimension"/> finite-length values.</summary>
    /// <param name="embeddings">The embeddings.</param>
    /// <param name="dimension">The expected length, or -1 to take the first embedding's.</param>
    /// <param name="what">What the embeddings are, for the error message.</param>
    /// <returns>The common dimension.</returns>
    public static int CheckSameLength(IReadOnlyList<float[]> embeddings, int dimension, string what)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Count == 0)
        {
            throw new ArgumentException($"{what}: expected at least one embedding, got none.", nameof(embeddings));
        }

        if (dimension < 0)
        {
            dimension = embeddings[0]?.Length ?? 0;
        }

        for (int i = 0; i < embeddings.Count; i++)
        {
            if (embeddings[i] is null || embeddings[i].Length != dimension || dimension == 0)
            {
                throw new ArgumentException(
                    $"{what}: embedding {i} has {embeddings[i]?.Length ?? 0} values, expected {dimension} (all embeddings must come from the same model).",
                    nameof(embeddings));
            }
        }

        return dimension;
    }

    /// <summary>The index of the largest value (the first one on ties).</summary>
    /// <param name="values">The values (not empty).</param>
    /// <returns>The index.</returns>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Softmax of <paramref name="logits"/> into a new array (max subtracted first).</summary>
    /// <param name="logits">The logits.</param>
    /// <returns>The probabilities.</returns>
    public static float[] Softmax(ReadOnlySpan<float> logits)
    {
        var result = logits.ToArray();
        Numerics.Softmax.Rows(result, 1, result.Length);
        return result;
    }
}
