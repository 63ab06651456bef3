namespace Microsoft.ML.Clip.Vision;

/// <summary>A video or image file could not be probed or decoded; the message names the file and says why.</summary>
public class VideoDecodingException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file being decoded.</param>
    /// <param name="message">What went wrong (including ffmpeg's own message when there is one).</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public VideoDecodingException(string path, string message, Exception? inner = null)
        : base(message, inner)
    {
        FilePath = path;
    }

    /// <summary>The file that failed.</summary>
    public string FilePath { get; }
}
