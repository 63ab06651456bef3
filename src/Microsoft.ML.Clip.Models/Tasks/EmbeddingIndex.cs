using System.Numerics.Tensors;

namespace Microsoft.ML.Clip.Tasks;

/// <summary>One retrieval result: the item's index in the index and its cosine similarity to the query.</summary>
/// <param name="Index">The item's position in the embeddings the index was built from.</param>
/// <param name="Score">The cosine similarity, in [−1, 1].</param>
public readonly record struct RetrievalHit(int Index, float Score);

/// <summary>
/// Exact top-k cosine retrieval over a set of embeddings (e.g. text → video): items are stored
/// L2-normalised in one contiguous block and scored with SIMD dot products.
/// </summary>
public sealed class EmbeddingIndex
{
    private readonly float[] _items; // [count, dimension], unit-norm rows

    /// <summary>Builds the index (the embeddings are copied and normalised).</summary>
    /// <param name="embeddings">The items' embeddings, all the same length.</param>
    public EmbeddingIndex(IReadOnlyList<float[]> embeddings)
    {
        Dimension = EmbeddingMath.CheckSameLength(embeddings, -1, "Index embeddings");
        Count = embeddings.Count;
        _items = new float[Count * Dimension];
        for (int i = 0; i < Count; i++)
        {
            Span<float> row = _items.AsSpan(i * Dimension, Dimension);
            embeddings[i].CopyTo(row);
            EmbeddingMath.NormalizeInPlace(row);
        }
    }

    /// <summary>The number of items.</summary>
    public int Count { get; }

    /// <summary>The embedding length.</summary>
    public int Dimension { get; }

    /// <summary>The cosine similarity of the query to every item.</summary>
    /// <param name="query">The query embedding.</param>
    /// <returns>One similarity per item.</returns>
    public float[] Similarities(ReadOnlySpan<float> query)
    {
        float[] q = CheckedQuery(query);
        var scores = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            scores[i] = TensorPrimitives.Dot(_items.AsSpan(i * Dimension, Dimension), q);
        }

        return scores;
    }

    /// <summary>The <paramref name="k"/> items most similar to the query, best first (ties: lower index first).</summary>
    /// <param name="query">The query embedding.</param>
    /// <param name="k">How many results (at most <see cref="Count"/> are returned).</param>
    /// <returns>The hits.</returns>
    public RetrievalHit[] Search(ReadOnlySpan<float> query, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        float[] scores = Similarities(query);
        k = Math.Min(k, Count);

        // Min-heap of the best k so far; the root is the worst kept hit.
        var heap = new PriorityQueue<int, (float Score, int NegIndex)>(k + 1);
        for (int i = 0; i < scores.Length; i++)
        {
            if (heap.Count < k)
            {
                heap.Enqueue(i, (scores[i], -i));
            }
            else if (heap.TryPeek(out _, out var worst) && scores[i] > worst.Score)
            {
                // Later items lose ties (-i is smaller), so only a strictly larger score enters.
                heap.EnqueueDequeue(i, (scores[i], -i));
            }
        }

        var hits = new RetrievalHit[heap.Count];
        for (int j = hits.Length - 1; j >= 0; j--)
        {
            int index = heap.Dequeue();
            hits[j] = new RetrievalHit(index, scores[index]);
        }

        return hits;
    }

    /// <summary>Top-k search for several queries (in parallel).</summary>
    /// <param name="queries">The query embeddings.</param>
    /// <param name="k">How many results per query.</param>
    /// <returns>The hits of each query, in query order.</returns>
    public RetrievalHit[][] Search(IReadOnlyList<float[]> queries, int k)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var result = new RetrievalHit[queries.Count][];
        Parallel.For(0, queries.Count, q => result[q] = Search(queries[q], k));
        return result;
    }

    private float[] CheckedQuery(ReadOnlySpan<float> query)
    {
        if (query.Length != Dimension)
        {
            throw new ArgumentException($"The index holds {Dimension}-value embeddings, the query has {query.Length} values: embed both with the same model.", nameof(query));
        }

        return EmbeddingMath.Normalized(query);
    }
}
