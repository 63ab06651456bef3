namespace Microsoft.ML.Clip.Vision;

/// <summary>The <c>ffmpeg</c> or <c>ffprobe</c> program could not be started; the message says how to install it.</summary>
public sealed class FfmpegNotFoundException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="program">The executable that could not be started.</param>
    /// <param name="inner">The start failure.</param>
    public FfmpegNotFoundException(string program, Exception? inner = null)
        : base($"Could not start '{program}': ffmpeg is needed to decode videos and images. {FfmpegTools.InstallHint}", inner)
    {
        Program = program;
    }

    /// <summary>The executable that could not be started.</summary>
    public string Program { get; }
}
