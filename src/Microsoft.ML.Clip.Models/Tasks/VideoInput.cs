using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tasks;

/// <summary>One video given to a video model: a video file, a list of frame image files, decoded frames, or preprocessed pixels.</summary>
public sealed class VideoInput
{
    private VideoInput(string? path, IReadOnlyList<string>? framePaths, float[]? pixels, IReadOnlyList<RgbImage>? frameImages = null)
    {
        Path = path;
        FramePaths = framePaths;
        Pixels = pixels;
        FrameImages = frameImages;
    }

    /// <summary>The video file, when the video is given as a file.</summary>
    public string? Path { get; }

    /// <summary>The frame image files in temporal order, when the video is given as frames.</summary>
    public IReadOnlyList<string>? FramePaths { get; }

    /// <summary>Preprocessed pixels <c>[frames, 3, H, W]</c> (resized, cropped, normalised), when given as pixels.</summary>
    public float[]? Pixels { get; }

    /// <summary>The decoded frames in temporal order, when the video is given as frames in memory.</summary>
    public IReadOnlyList<RgbImage>? FrameImages { get; }

    /// <summary>A video file (decoded with ffmpeg, frames sampled as the model's processor does).</summary>
    /// <param name="path">The video file.</param>
    /// <returns>The input.</returns>
    public static VideoInput FromFile(string path) => new(path ?? throw new ArgumentNullException(nameof(path)), null, null);

    /// <summary>A video given as frame image files (one per model frame, in temporal order).</summary>
    /// <param name="framePaths">The frame files.</param>
    /// <returns>The input.</returns>
    public static VideoInput FromFrames(IReadOnlyList<string> framePaths) => new(null, framePaths ?? throw new ArgumentNullException(nameof(framePaths)), null);

    /// <summary>Already preprocessed pixels <c>[frames, 3, H, W]</c>, row-major.</summary>
    /// <param name="pixels">The pixel values.</param>
    /// <returns>The input.</returns>
    public static VideoInput FromPixels(float[] pixels) => new(null, null, pixels ?? throw new ArgumentNullException(nameof(pixels)));

    /// <summary>A video given as decoded frames (one per model frame, in temporal order), preprocessed like frame image files.</summary>
    /// <param name="frames">The frames.</param>
    /// <returns>The input.</returns>
    public static VideoInput FromFrameImages(IReadOnlyList<RgbImage> frames) => new(null, null, null, frames ?? throw new ArgumentNullException(nameof(frames)));

    /// <summary>A short description for error messages: the path, the frame paths, the frame count or the pixel count.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        Path ?? (FramePaths is not null ? $"[{string.Join(", ", FramePaths)}]"
            : FrameImages is not null ? $"<{FrameImages.Count} frame images>" : $"<{Pixels!.Length} pixel values>");
}
