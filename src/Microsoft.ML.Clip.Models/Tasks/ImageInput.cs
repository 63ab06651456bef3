using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tasks;

/// <summary>One image given to an image model: an image file, a decoded image, or preprocessed pixels.</summary>
public sealed class ImageInput
{
    private ImageInput(string? path, float[]? pixels, RgbImage? image = null)
    {
        Path = path;
        Pixels = pixels;
        Image = image;
    }

    /// <summary>The image file, when the image is given as a file.</summary>
    public string? Path { get; }

    /// <summary>Preprocessed pixels <c>[3, H, W]</c> (resized, cropped, normalised), when given as pixels.</summary>
    public float[]? Pixels { get; }

    /// <summary>A decoded image, when the image is given in memory.</summary>
    public RgbImage? Image { get; }

    /// <summary>An image file (decoded and preprocessed as the model's processor does).</summary>
    /// <param name="path">The image file.</param>
    /// <returns>The input.</returns>
    public static ImageInput FromFile(string path) => new(path ?? throw new ArgumentNullException(nameof(path)), null);

    /// <summary>Already preprocessed pixels <c>[3, H, W]</c>, row-major.</summary>
    /// <param name="pixels">The pixel values.</param>
    /// <returns>The input.</returns>
    public static ImageInput FromPixels(float[] pixels) => new(null, pixels ?? throw new ArgumentNullException(nameof(pixels)));

    /// <summary>An image already decoded to RGB (preprocessed as the model's processor does, like a file's decoded pixels).</summary>
    /// <param name="image">The image.</param>
    /// <returns>The input.</returns>
    public static ImageInput FromImage(RgbImage image) => new(null, null, image ?? throw new ArgumentNullException(nameof(image)));

    /// <summary>A short description for error messages: the path, the image size or the pixel count.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Path ?? (Image is not null ? $"<{Image.Width}×{Image.Height} image>" : $"<{Pixels!.Length} pixel values>");
}
