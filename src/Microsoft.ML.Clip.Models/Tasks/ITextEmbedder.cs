namespace Microsoft.ML.Clip.Tasks;

/// <summary>Turns texts into embeddings (e.g. X-CLIP <c>get_text_features</c>, AltCLIP text features).</summary>
/// <remarks>Implementations must be safe to call from several threads at once.</remarks>
public interface ITextEmbedder
{
    /// <summary>The length of every embedding this embedder returns.</summary>
    int Dimension { get; }

    /// <summary>Embeds a batch of texts in one forward pass.</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One embedding of <see cref="Dimension"/> values per text, in input order.</returns>
    float[][] EmbedTexts(IReadOnlyList<string> texts);
}
