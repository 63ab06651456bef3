namespace Microsoft.ML.Clip.Tasks;

/// <summary>One video given to a video model: a video file, a list of frame image files, or preprocessed pixels.</summary>
public sealed class VideoInput
{
    private VideoInput(string? path, IReadOnlyList<string>? framePaths, float[]? pixels)
    {
        Path = path;
        FramePaths = framePaths;
        Pixels = pixels;
    }

    /// <summary>The video file, when the video is given as a file.</summary>
    public string? Path { get; }

    /// <summary>The frame image files in temporal order, when the video is given as frames.</summary>
    public IReadOnlyList<string>? FramePaths { get; }

    /// <summary>Preprocessed pixels <c>[frames, 3, H, W]</c> (resized, cropped, normalised), when given as pixels.</summary>
    public float[]? Pixels { get; }

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

    /// <summary>A short description for error messages: the path, the first frame path, or the pixel count.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        Path ?? (FramePaths is not null ? $"[{string.Join(", ", FramePaths)}]" : $"<{Pixels!.Length} pixel values>");
}
