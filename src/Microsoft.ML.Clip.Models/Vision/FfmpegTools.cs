namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Where the <c>ffmpeg</c> and <c>ffprobe</c> programs are. By default they are looked up on <c>PATH</c>;
/// the environment variables <c>CLIP_FFMPEG</c> / <c>CLIP_FFPROBE</c> or explicit paths override that.
/// </summary>
public sealed record FfmpegTools
{
    /// <summary>Creates the tool locations.</summary>
    /// <param name="ffmpegPath">The ffmpeg executable (a name looked up on PATH, or a path).</param>
    /// <param name="ffprobePath">The ffprobe executable; when null, <c>ffprobe</c> beside <paramref name="ffmpegPath"/> (or on PATH).</param>
    public FfmpegTools(string ffmpegPath = "ffmpeg", string? ffprobePath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ffmpegPath);
        FfmpegPath = ffmpegPath;
        FfprobePath = ffprobePath ?? SiblingProbe(ffmpegPath);
    }

    /// <summary>The ffmpeg executable.</summary>
    public string FfmpegPath { get; init; }

    /// <summary>The ffprobe executable.</summary>
    public string FfprobePath { get; init; }

    /// <summary>The tools from <c>CLIP_FFMPEG</c> / <c>CLIP_FFPROBE</c> when set, else <c>ffmpeg</c>/<c>ffprobe</c> on PATH.</summary>
    public static FfmpegTools Default => new(
        Environment.GetEnvironmentVariable("CLIP_FFMPEG") is { Length: > 0 } ffmpeg ? ffmpeg : "ffmpeg",
        Environment.GetEnvironmentVariable("CLIP_FFPROBE") is { Length: > 0 } ffprobe ? ffprobe : null);

    /// <summary>How to install ffmpeg on the common systems (used in error messages).</summary>
    public const string InstallHint =
        "Install ffmpeg (which includes ffprobe): Debian/Ubuntu `sudo apt-get install ffmpeg`, macOS `brew install ffmpeg`, " +
        "Windows `winget install Gyan.FFmpeg`; or point to it with the CLIP_FFMPEG / CLIP_FFPROBE environment variables " +
        "or FfmpegTools(ffmpegPath, ffprobePath).";

    private static string SiblingProbe(string ffmpegPath)
    {
        string? directory = Path.GetDirectoryName(ffmpegPath);
        if (string.IsNullOrEmpty(directory))
        {
            return "ffprobe";
        }

        string extension = Path.GetExtension(ffmpegPath);
        return Path.Combine(directory, "ffprobe" + extension);
    }
}
