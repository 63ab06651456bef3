namespace Microsoft.ML.Clip.Tasks;

/// <summary>One image given to an image model: an image file or preprocessed pixels.</summary>
public sealed class ImageInput
{
    private ImageInput(string? path, float[]? pixels)
    {
        Path = path;
        Pixels = pixels;
    }

    /// <summary>The image file, when the image is given as a file.</summary>
    public string? Path { get; }

    /// <summary>Preprocessed pixels <c>[3, H, W]</c> (resized, cropped, normalised), when given as pixels.</summary>
    public float[]? Pixels { get; }

    /// <summary>An image file (decoded and preprocessed as the model's processor does).</summary>
    /// <param name="path">The image file.</param>
    /// <returns>The input.</returns>
    public static ImageInput FromFile(string path) => new(path ?? throw new ArgumentNullException(nameof(path)), null);

    /// <summary>Already preprocessed pixels <c>[3, H, W]</c>, row-major.</summary>
    /// <param name="pixels">The pixel values.</param>
    /// <returns>The input.</returns>
    public static ImageInput FromPixels(float[] pixels) => new(null, pixels ?? throw new ArgumentNullException(nameof(pixels)));

    /// <summary>A short description for error messages: the path or the pixel count.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Path ?? $"<{Pixels!.Length} pixel values>";
}
