namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// How the wanted frames of a video are reached: one sequential ffmpeg run with a <c>select</c> filter (frame-exact for
/// any video), or one input seek per frame (sparse frames far into a long video in an indexed container).
/// </summary>
internal static class FramePlan
{
    /// <summary>
    /// True when <paramref name="sortedIndices"/> (distinct, ascending) are better reached by seeking: the file is a
    /// video on disk with a frame rate, and either seeking is forced or the frames lie beyond
    /// <see cref="VideoDecoder.SeekThreshold"/> and are sparse (fewer than one per threshold/8 frames) in a container
    /// with a seek index.
    /// </summary>
    public static bool ShouldSeek(VideoDecoder decoder, VideoInfo info, int[] sortedIndices) =>
        !info.IsImage && info.FramesPerSecond > 0 &&
        (decoder.AlwaysSeek || (sortedIndices[^1] >= decoder.SeekThreshold
            && (long)sortedIndices.Length * (decoder.SeekThreshold / 8) < sortedIndices[^1]
            && HasSeekIndex(info.ContainerFormat)));

    /// <summary>
    /// Before the probe: false when <see cref="ShouldSeek"/> cannot choose seeking for these frames in any file (a
    /// sequential run will decode them), true when it may; <paramref name="sortedIndices"/> null when not known yet
    /// (then only <see cref="VideoDecoder.AlwaysSeek"/> says it will).
    /// </summary>
    public static bool MaySeek(VideoDecoder decoder, int[]? sortedIndices) =>
        decoder.AlwaysSeek || (sortedIndices is { Length: > 0 } && sortedIndices[^1] >= decoder.SeekThreshold
            && (long)sortedIndices.Length * (decoder.SeekThreshold / 8) < sortedIndices[^1]);

    /// <summary>Containers whose index makes input seeking fast and exact (MP4/MOV, Matroska/WebM, AVI).</summary>
    private static bool HasSeekIndex(string containerFormat) =>
        containerFormat.Contains("mp4", StringComparison.Ordinal)
        || containerFormat.Contains("matroska", StringComparison.Ordinal)
        || containerFormat.Contains("avi", StringComparison.Ordinal);

    /// <summary>A short list of indices for messages: all of them up to 10, else the first 8 and the last.</summary>
    public static string Describe(int[] indices) =>
        indices.Length <= 10 ? string.Join(", ", indices) : $"{string.Join(", ", indices.Take(8))}, …, {indices[^1]}";
}
