using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms;

/// <summary>
/// Turns an <see cref="MLImage"/> into the 8-bit RGB image a file decodes to. <c>MLImage</c> holds Skia's premultiplied
/// <c>Bgra32</c> or <c>Rgba32</c>: each colour is stored as <c>c' = round(c · a / 255)</c> (round half up; checked on
/// the fixture images). Opaque pixels (<c>a = 255</c>) are stored exactly, so they come back unchanged. For
/// <c>0 &lt; a &lt; 255</c> the colours <c>c</c> with the same <c>c'</c> are indistinguishable; the one returned is
/// <c>round(c' · 255 / a)</c>, which premultiplies back to <c>c'</c> and is within <c>⌈255 / (2a)⌉</c> of the original.
/// Fully transparent pixels (<c>a = 0</c>) keep no colour and come back black, where Pillow's <c>convert("RGB")</c>
/// keeps the colour stored in the file. Alpha itself is dropped, as <c>convert("RGB")</c> drops it.
/// </summary>
internal static class PremultipliedPixels
{
    public static RgbImage ToRgb(MLImage image)
    {
        (int red, int blue) = image.PixelFormat switch
        {
            MLPixelFormat.Bgra32 => (2, 0),
            MLPixelFormat.Rgba32 => (0, 2),
            _ => throw new ArgumentException($"An MLImage of pixel format {image.PixelFormat} cannot be read; expected Bgra32 or Rgba32.", nameof(image)),
        };

        int width = image.Width, height = image.Height;
        ReadOnlySpan<byte> source = image.Pixels; // width × height × 4 bytes, rows packed (MLImage's contract)
        int count = checked(width * height);
        if (source.Length != count * 4)
        {
            throw new ArgumentException($"An MLImage of {width}×{height} has {source.Length} pixel bytes; expected {count * 4}.", nameof(image));
        }

        var rgb = new byte[count * 3];
        for (int p = 0; p < count; p++)
        {
            ReadOnlySpan<byte> pixel = source.Slice(p * 4, 4);
            int alpha = pixel[3];
            rgb[(p * 3) + 0] = Unpremultiply(pixel[red], alpha);
            rgb[(p * 3) + 1] = Unpremultiply(pixel[1], alpha);
            rgb[(p * 3) + 2] = Unpremultiply(pixel[blue], alpha);
        }

        return new RgbImage(width, height, rgb);
    }

    /// <summary><c>round(c' · 255 / a)</c>, rounding half up in integers: <c>⌊(2 · 255 · c' + a) / (2a)⌋</c>.</summary>
    internal static byte Unpremultiply(int premultiplied, int alpha) => alpha switch
    {
        255 => (byte)premultiplied,
        0 => 0,
        _ => (byte)Math.Min(255, ((2 * 255 * premultiplied) + alpha) / (2 * alpha)),
    };
}
