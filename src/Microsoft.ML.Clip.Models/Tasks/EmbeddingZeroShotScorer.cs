using System.Collections.Concurrent;
using System.Numerics.Tensors;

namespace Microsoft.ML.Clip.Tasks;

/// <summary>
/// CLIP-style zero-shot scoring from two embedders: <c>logit = scale · cos(input, class)</c>, where a
/// class's text embedding is the renormalised mean of its L2-normalised prompt embeddings (the
/// prompt-ensembling of the CLIP paper). Class embeddings are cached per prompt list.
/// </summary>
/// <typeparam name="TInput">The input kind.</typeparam>
public sealed class EmbeddingZeroShotScorer<TInput> : IZeroShotScorer<TInput>
{
    private readonly Func<IReadOnlyList<TInput>, float[][]> _embedInputs;
    private readonly ITextEmbedder _text;
    private readonly ConcurrentDictionary<string, float[][]> _classCache = new(StringComparer.Ordinal);

    /// <summary>Creates the scorer.</summary>
    /// <param name="embedInputs">Embeds a batch of inputs (same dimension as the text embedder).</param>
    /// <param name="text">Embeds the prompts.</param>
    /// <param name="logitScale">The multiplier of cosine similarities (the model's <c>logit_scale.exp()</c>, 100 for trained CLIP models).</param>
    public EmbeddingZeroShotScorer(Func<IReadOnlyList<TInput>, float[][]> embedInputs, ITextEmbedder text, float logitScale)
    {
        _embedInputs = embedInputs ?? throw new ArgumentNullException(nameof(embedInputs));
        _text = text ?? throw new ArgumentNullException(nameof(text));
        LogitScale = logitScale;
    }

    /// <summary>The multiplier of cosine similarities.</summary>
    public float LogitScale { get; }

    /// <summary>Computes the class text embeddings (unit norm) for the given prompts: mean of normalised prompt embeddings, renormalised.</summary>
    /// <param name="text">The text embedder.</param>
    /// <param name="classPrompts">The prompts of each class.</param>
    /// <returns>One unit-norm embedding per class.</returns>
    public static float[][] ClassEmbeddings(ITextEmbedder text, IReadOnlyList<IReadOnlyList<string>> classPrompts)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(classPrompts);
        var flat = classPrompts.SelectMany(p => p).ToArray();
        float[][] embedded = text.EmbedTexts(flat);
        EmbeddingMath.CheckSameLength(embedded, text.Dimension, "Prompt embeddings");
        var result = new float[classPrompts.Count][];
        int next = 0;
        for (int c = 0; c < classPrompts.Count; c++)
        {
            var sum = new float[text.Dimension];
            for (int p = 0; p < classPrompts[c].Count; p++)
            {
                float[] e = EmbeddingMath.Normalized(embedded[next++]);
                TensorPrimitives.Add(sum, e, sum);
            }

            EmbeddingMath.NormalizeInPlace(sum);
            result[c] = sum;
        }

        return result;
    }

    /// <inheritdoc />
    public float[][] ScoreLogits(IReadOnlyList<TInput> inputs, IReadOnlyList<IReadOnlyList<string>> classPrompts)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        string key = string.Join("\u0001", classPrompts.Select(p => string.Join("\u0002", p)));
        float[][] classes = _classCache.GetOrAdd(key, _ => ClassEmbeddings(_text, classPrompts));
        float[][] embeddings = _embedInputs(inputs);
        var logits = new float[inputs.Count][];
        for (int i = 0; i < inputs.Count; i++)
        {
            float[] e = EmbeddingMath.Normalized(embeddings[i]);
            logits[i] = new float[classes.Length];
            for (int c = 0; c < classes.Length; c++)
            {
                logits[i][c] = LogitScale * TensorPrimitives.Dot(e, classes[c]);
            }
        }

        return logits;
    }
}
