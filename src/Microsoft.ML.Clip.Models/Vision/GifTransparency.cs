namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// The colour Pillow gives transparent pixels of a GIF's first frame: a GIF opens as a palette image, and
/// <c>convert("RGB")</c> looks the transparent index up in the palette like any other (Skia decodes those pixels to
/// transparent black instead). Also the colour of the canvas outside a first frame smaller than the screen: Pillow
/// fills it with the transparent index.
/// </summary>
internal static class GifTransparency
{
    /// <summary>The palette colour of the first frame's transparent index; null when the frame has none (or the data is not a GIF).</summary>
    public static (byte R, byte G, byte B)? TransparentColour(ReadOnlySpan<byte> gif)
    {
        if (gif.Length < 13 || !gif[..3].SequenceEqual("GIF"u8))
        {
            return null;
        }

        // Logical screen descriptor: width (2), height (2), flags (1: bit 7 = global colour table, bits 0–2 = size), …
        int position = 13;
        ReadOnlySpan<byte> palette = default;
        if ((gif[10] & 0x80) != 0)
        {
            int size = 3 << ((gif[10] & 7) + 1);
            palette = Slice(gif, position, size);
            position += size;
        }

        int? transparent = null;
        while (position < gif.Length)
        {
            byte block = gif[position++];
            if (block == 0x21 && position < gif.Length)   // extension: label, then sub-blocks
            {
                byte label = gif[position++];
                if (label == 0xF9 && position + 4 < gif.Length && gif[position] == 4 && (gif[position + 1] & 1) != 0)
                {
                    transparent = gif[position + 4];   // graphic control: size 4, flags, delay (2), transparent index
                }

                position = SkipSubBlocks(gif, position);
            }
            else if (block == 0x2C && position + 9 <= gif.Length)   // image descriptor: left, top, width, height (2 each), flags
            {
                byte flags = gif[position + 8];
                if ((flags & 0x80) != 0)
                {
                    palette = Slice(gif, position + 9, 3 << ((flags & 7) + 1));
                }

                break;
            }
            else
            {
                return null;
            }
        }

        if (transparent is not int index || (index * 3) + 3 > palette.Length)
        {
            return null;
        }

        return (palette[index * 3], palette[(index * 3) + 1], palette[(index * 3) + 2]);
    }

    /// <summary>Gives pixels with alpha 0 (in an unpremultiplied RGBA buffer) the transparent index's colour.</summary>
    public static void Fill(Span<byte> rgba, (byte R, byte G, byte B) colour)
    {
        for (int i = 0; i + 3 < rgba.Length; i += 4)
        {
            if (rgba[i + 3] == 0)
            {
                rgba[i] = colour.R;
                rgba[i + 1] = colour.G;
                rgba[i + 2] = colour.B;
            }
        }
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> data, int start, int length) =>
        start + length <= data.Length ? data.Slice(start, length) : default;

    private static int SkipSubBlocks(ReadOnlySpan<byte> gif, int position)
    {
        while (position < gif.Length && gif[position] != 0)
        {
            position += gif[position] + 1;
        }

        return position + 1;
    }
}
