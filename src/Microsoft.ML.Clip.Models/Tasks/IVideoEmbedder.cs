namespace Microsoft.ML.Clip.Tasks;

/// <summary>Turns videos into embeddings (e.g. X-CLIP <c>get_video_features</c>).</summary>
/// <remarks>Implementations must be safe to call from several threads at once.</remarks>
public interface IVideoEmbedder
{
    /// <summary>The length of every embedding this embedder returns.</summary>
    int Dimension { get; }

    /// <summary>The number of values of an already preprocessed clip, <c>frames × 3 × H × W</c> (see <see cref="VideoInput.FromPixels"/>).</summary>
    int PixelValueCount { get; }

    /// <summary>Embeds a batch of videos in one forward pass.</summary>
    /// <param name="videos">The videos.</param>
    /// <returns>One embedding of <see cref="Dimension"/> values per video, in input order.</returns>
    float[][] EmbedVideos(IReadOnlyList<VideoInput> videos);

    /// <summary>
    /// Embeds a batch of videos, stopping early when <paramref name="cancellationToken"/> is cancelled (decoding is the long
    /// part: its ffmpeg processes are killed). An implementation without its own cancellation checks the token once, first.
    /// </summary>
    /// <param name="videos">The videos.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One embedding of <see cref="Dimension"/> values per video, in input order.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    float[][] EmbedVideos(IReadOnlyList<VideoInput> videos, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return EmbedVideos(videos);
    }
}
