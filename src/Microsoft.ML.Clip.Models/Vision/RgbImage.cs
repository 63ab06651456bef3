namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// An 8-bit RGB image (or one video frame) in memory: <see cref="Height"/> rows of <see cref="Width"/> pixels,
/// each pixel three bytes R, G, B, rows packed without padding (the <c>rgb24</c> layout ffmpeg writes and
/// numpy's <c>uint8</c> H×W×3 arrays use).
/// </summary>
public sealed class RgbImage
{
    /// <summary>Wraps an RGB24 buffer (no copy).</summary>
    /// <param name="width">The width in pixels (≥ 1).</param>
    /// <param name="height">The height in pixels (≥ 1).</param>
    /// <param name="pixels">Exactly <c>width × height × 3</c> bytes, row-major, R G B per pixel.</param>
    /// <exception cref="ArgumentException">A dimension is not positive or the buffer has the wrong length.</exception>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        long expected = CheckedSize(width, height, 3);
        if (pixels.LongLength != expected)
        {
            throw new ArgumentException(
                $"An RGB24 image of {width}×{height} needs {expected} bytes (width × height × 3), but the buffer has {pixels.LongLength}.",
                nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>The width in pixels.</summary>
    public int Width { get; }

    /// <summary>The height in pixels.</summary>
    public int Height { get; }

    /// <summary>The RGB24 bytes, row-major, <c>Width × 3</c> bytes per row.</summary>
    public byte[] Pixels { get; }

    /// <summary>Reads the channel value at a pixel (for tests and diagnostics; not a fast path).</summary>
    /// <param name="x">The column, 0 ≤ x &lt; <see cref="Width"/>.</param>
    /// <param name="y">The row, 0 ≤ y &lt; <see cref="Height"/>.</param>
    /// <param name="channel">0 = red, 1 = green, 2 = blue.</param>
    public byte this[int x, int y, int channel] => Pixels[((y * Width) + x) * 3 + channel];

    /// <summary>
    /// Converts an 8-bit grayscale buffer the way Pillow's <c>Image.convert("RGB")</c> does for mode <c>L</c>:
    /// the gray value is copied to all three channels.
    /// </summary>
    /// <param name="width">The width in pixels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="gray">Exactly <c>width × height</c> bytes.</param>
    public static RgbImage FromGray8(int width, int height, ReadOnlySpan<byte> gray) =>
        FromInterleaved(width, height, gray, channels: 1, nameof(gray));

    /// <summary>
    /// Converts a gray + alpha buffer (Pillow mode <c>LA</c>, ffmpeg <c>ya8</c>) like <c>convert("RGB")</c>:
    /// gray copied to three channels, alpha dropped (no compositing onto a background).
    /// </summary>
    /// <param name="width">The width in pixels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="grayAlpha">Exactly <c>width × height × 2</c> bytes, gray then alpha per pixel.</param>
    public static RgbImage FromGrayAlpha8(int width, int height, ReadOnlySpan<byte> grayAlpha) =>
        FromInterleaved(width, height, grayAlpha, channels: 2, nameof(grayAlpha));

    /// <summary>
    /// Converts an RGBA buffer like Pillow's <c>convert("RGB")</c> for mode <c>RGBA</c> (transformers 4.37
    /// <c>convert_rgb</c>): the alpha channel is simply dropped — colours are kept as stored, not composited.
    /// </summary>
    /// <param name="width">The width in pixels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="rgba">Exactly <c>width × height × 4</c> bytes, R G B A per pixel.</param>
    public static RgbImage FromRgba32(int width, int height, ReadOnlySpan<byte> rgba) =>
        FromInterleaved(width, height, rgba, channels: 4, nameof(rgba));

    /// <summary>
    /// Converts 16-bit grey samples (little-endian) like Pillow's <c>convert("RGB")</c> for modes <c>I</c> and
    /// <c>I;16</c> (16-bit grey PNG and TIFF): each value is clipped to 0–255 (<c>i2rgb</c>, <c>I16_RGB</c>), not scaled,
    /// so values above 255 become white.
    /// </summary>
    internal static RgbImage FromGray16Clipped(int width, int height, ReadOnlySpan<byte> gray16)
    {
        long expected = CheckedSize(width, height, 2);
        if (gray16.Length != expected)
        {
            throw new ArgumentException($"A {width}×{height} 16-bit grey buffer needs {expected} bytes, but has {gray16.Length}.", nameof(gray16));
        }

        var rgb = new byte[width * height * 3];
        for (int i = 0, d = 0; i < gray16.Length; i += 2, d += 3)
        {
            byte g = gray16[i + 1] == 0 ? gray16[i] : (byte)255;
            rgb[d] = g;
            rgb[d + 1] = g;
            rgb[d + 2] = g;
        }

        return new RgbImage(width, height, rgb);
    }

    /// <summary>Returns a copy of the image with its own pixel buffer.</summary>
    public RgbImage Clone() => new(Width, Height, (byte[])Pixels.Clone());

    /// <inheritdoc />
    public override string ToString() => $"RgbImage {Width}×{Height}";

    internal static long CheckedSize(int width, int height, int channels)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentException($"Image dimensions must be positive, but got {width}×{height}.");
        }

        long size = (long)width * height * channels;
        if (size > Array.MaxLength)
        {
            throw new ArgumentException($"An image of {width}×{height}×{channels} bytes is larger than a .NET array can hold.");
        }

        return size;
    }

    private static RgbImage FromInterleaved(int width, int height, ReadOnlySpan<byte> source, int channels, string parameter)
    {
        long expected = CheckedSize(width, height, channels);
        if (source.Length != expected)
        {
            throw new ArgumentException(
                $"A {width}×{height} buffer with {channels} byte(s) per pixel needs {expected} bytes, but has {source.Length}.", parameter);
        }

        int count = width * height;
        var rgb = new byte[count * 3];
        for (int i = 0, s = 0, d = 0; i < count; i++, s += channels, d += 3)
        {
            if (channels <= 2)
            {
                byte g = source[s];
                rgb[d] = g;
                rgb[d + 1] = g;
                rgb[d + 2] = g;
            }
            else
            {
                rgb[d] = source[s];
                rgb[d + 1] = source[s + 1];
                rgb[d + 2] = source[s + 2];
            }
        }

        return new RgbImage(width, height, rgb);
    }
}
