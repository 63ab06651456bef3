namespace Microsoft.ML.Clip.Vision;

/// <summary>Options of <see cref="VisionPreprocessor"/>.</summary>
public sealed record VisionPreprocessorOptions
{
    /// <summary>
    /// Frames per clip. Null: the model folder's <c>config.json</c> <c>vision_config.num_frames</c> for a video model
    /// (8 when absent), 1 (the middle frame) when an image model is given a video.
    /// </summary>
    public int? NumFrames { get; init; }

    /// <summary>How frames are chosen from videos; <see cref="FrameSampling.Uniform"/> when null.</summary>
    public FrameSampling? Sampling { get; init; }

    /// <summary>The ffmpeg/ffprobe locations; <see cref="FfmpegTools.Default"/> when null (ignored when <see cref="Decoder"/> is set).</summary>
    public FfmpegTools? Ffmpeg { get; init; }

    /// <summary>
    /// The decoder, for its settings (e.g. <see cref="VideoDecoder.ApplyExifOrientation"/>,
    /// <see cref="VideoDecoder.ApplyDisplayRotation"/>); a <see cref="VideoDecoder"/> with <see cref="Ffmpeg"/> when null.
    /// </summary>
    public VideoDecoder? Decoder { get; init; }
}
