namespace Microsoft.ML.Clip.Tasks;

/// <summary>Turns images into embeddings (e.g. AltCLIP <c>get_image_features</c>).</summary>
/// <remarks>Implementations must be safe to call from several threads at once.</remarks>
public interface IImageEmbedder
{
    /// <summary>The length of every embedding this embedder returns.</summary>
    int Dimension { get; }

    /// <summary>The number of values of an already preprocessed image, <c>3 × H × W</c> (see <see cref="ImageInput.FromPixels"/>).</summary>
    int PixelValueCount { get; }

    /// <summary>Embeds a batch of images in one forward pass.</summary>
    /// <param name="images">The images.</param>
    /// <returns>One embedding of <see cref="Dimension"/> values per image, in input order.</returns>
    float[][] EmbedImages(IReadOnlyList<ImageInput> images);

    /// <summary>
    /// Embeds a batch of images, stopping early when <paramref name="cancellationToken"/> is cancelled (files decoded by
    /// ffmpeg have their processes killed). An implementation without its own cancellation checks the token once, first.
    /// </summary>
    /// <param name="images">The images.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One embedding of <see cref="Dimension"/> values per image, in input order.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    float[][] EmbedImages(IReadOnlyList<ImageInput> images, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return EmbedImages(images);
    }
}
