namespace Microsoft.ML.Clip.Vision;

/// <summary>What <see cref="VideoDecoder.Probe"/> learned about a video or image file (its first video stream).</summary>
public sealed record VideoInfo
{
    /// <summary>The file.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// The width of decoded frames: after the EXIF orientation is undone (images, <see cref="VideoDecoder.ApplyExifOrientation"/>)
    /// or the display rotation applied (videos, <see cref="VideoDecoder.ApplyDisplayRotation"/>), as stored otherwise.
    /// </summary>
    public required int Width { get; init; }

    /// <summary>The height of decoded frames (after orientation or rotation, as <see cref="Width"/>).</summary>
    public required int Height { get; init; }

    /// <summary>The number of frames (1 for a still image); see <see cref="FrameCountSource"/> for how it was found.</summary>
    public required int FrameCount { get; init; }

    /// <summary>
    /// Where <see cref="FrameCount"/> comes from: <c>nb_frames</c> (container index, checked against duration × fps),
    /// <c>packets</c> (counted by demuxing, when the container had no count or a suspicious one), <c>duration</c>
    /// (duration × fps, for very long videos without a count; see <see cref="VideoDecoder.CountingLimit"/>), <c>decoded</c>
    /// (counted by decoding every frame, after a decode came up short) or <c>image</c>.
    /// </summary>
    public required string FrameCountSource { get; init; }

    /// <summary>Frames per second (<c>avg_frame_rate</c>, else <c>r_frame_rate</c>); 0 when unknown (images).</summary>
    public double FramesPerSecond { get; init; }

    /// <summary>The duration in seconds; 0 when unknown.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>The display rotation in degrees from the stream's side data or <c>rotate</c> tag (0 when none).</summary>
    public int Rotation { get; init; }

    /// <summary>A still image's EXIF orientation as stored (tag 0x0112, 1–8; 1 = upright, also when there is none).</summary>
    public int ExifOrientation { get; init; } = 1;

    /// <summary>True when the image is decoded in-process by Skia rather than by ffmpeg.</summary>
    internal bool DecodedBySkia { get; init; }

    /// <summary>The codec (e.g. <c>h264</c>, <c>png</c>, <c>jpeg</c>).</summary>
    public string CodecName { get; init; } = "";

    /// <summary>The stream's pixel format as ffprobe names it (e.g. <c>yuv420p</c>, <c>gray</c>, <c>rgba</c>); empty for an image Skia decodes.</summary>
    public string PixelFormat { get; init; } = "";

    /// <summary>ffprobe's container format name (e.g. <c>mov,mp4,m4a,3gp,3g2,mj2</c>, <c>matroska,webm</c>, <c>tiff_pipe</c>); empty for an image Skia decodes.</summary>
    public string ContainerFormat { get; init; } = "";

    /// <summary>The encoded bytes when the image came from memory (decoded by Skia), else null.</summary>
    internal ReadOnlyMemory<byte>? EncodedData { get; init; }

    /// <summary>What ffmpeg opens: <c>file:PATH</c> (never mistaken for an option or a protocol).</summary>
    internal string InputUrl => "file:" + (LocalFile ?? Path);

    /// <summary>The file ffmpeg reads when it is not <see cref="Path"/> (a temporary copy of in-memory bytes); <see cref="Path"/> names it in messages.</summary>
    internal string? LocalFile { get; init; }

    /// <summary>True for a single still image (PNG, JPEG, …) rather than a video.</summary>
    public bool IsImage { get; init; }

    /// <summary>
    /// When set, each decoded frame is delivered cropped to this window of its <see cref="Width"/>×<see cref="Height"/>
    /// pixels (<see cref="VisionPreprocessor"/> asks for the part its resize and centre crop read); null for whole frames.
    /// </summary>
    internal FrameWindow? Window { get; init; }

    /// <summary>The width of the frames delivered: the <see cref="Window"/>'s, else <see cref="Width"/>.</summary>
    internal int DeliveredWidth => Window?.Width ?? Width;

    /// <summary>The height of the frames delivered: the <see cref="Window"/>'s, else <see cref="Height"/>.</summary>
    internal int DeliveredHeight => Window?.Height ?? Height;
}
