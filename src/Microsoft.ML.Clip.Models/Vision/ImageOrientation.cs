namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// EXIF orientation (tag 0x0112, values 1–8): reading it from a TIFF structure (an EXIF block, a PNG <c>eXIf</c> chunk,
/// a TIFF file's first IFD) and undoing it the way Pillow's <c>ImageOps.exif_transpose</c> does (which transformers'
/// <c>load_image</c> calls before <c>convert("RGB")</c>).
/// </summary>
internal static class ImageOrientation
{
    /// <summary>The orientation stored upright (no transform).</summary>
    public const int Upright = 1;

    /// <summary>True when undoing <paramref name="orientation"/> swaps width and height (5–8: the transposing ones).</summary>
    public static bool SwapsAxes(int orientation) => orientation is >= 5 and <= 8;

    /// <summary>
    /// Undoes an orientation like Pillow's <c>exif_transpose</c>: 2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM,
    /// 5 TRANSPOSE, 6 ROTATE_270, 7 TRANSVERSE, 8 ROTATE_90 (Pillow's rotations are counter-clockwise). Values outside
    /// 2–8 leave the image as it is. Pure pixel moves, so the result is exact.
    /// </summary>
    public static RgbImage Apply(RgbImage image, int orientation)
    {
        if (orientation is < 2 or > 8)
        {
            return image;
        }

        int w = image.Width, h = image.Height;
        (int outW, int outH) = SwapsAxes(orientation) ? (h, w) : (w, h);
        byte[] source = image.Pixels;
        var target = new byte[source.Length];
        for (int y = 0; y < outH; y++)
        {
            for (int x = 0; x < outW; x++)
            {
                // (sx, sy): the stored pixel that lands at output (x, y).
                (int sx, int sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x),   // 8
                };
                int s = ((sy * w) + sx) * 3, d = ((y * outW) + x) * 3;
                target[d] = source[s];
                target[d + 1] = source[s + 1];
                target[d + 2] = source[s + 2];
            }
        }

        return new RgbImage(outW, outH, target);
    }

    /// <summary>
    /// Reads the orientation tag from the first IFD of a TIFF structure (<c>II*\0</c> or <c>MM\0*</c>) starting at the
    /// stream's current position; <see cref="Upright"/> when there is none or the structure is malformed.
    /// </summary>
    public static int ReadTiff(Stream stream)
    {
        try
        {
            long start = stream.Position;
            Span<byte> header = stackalloc byte[8];
            if (stream.ReadAtLeast(header, 8, throwOnEndOfStream: false) < 8)
            {
                return Upright;
            }

            bool little = header[0] == 'I' && header[1] == 'I';
            if (!little && !(header[0] == 'M' && header[1] == 'M'))
            {
                return Upright;
            }

            stream.Position = start + ReadUInt32(header[4..], little);
            Span<byte> count = stackalloc byte[2];
            if (stream.ReadAtLeast(count, 2, throwOnEndOfStream: false) < 2)
            {
                return Upright;
            }

            Span<byte> entry = stackalloc byte[12];
            for (int i = ReadUInt16(count, little); i > 0; i--)
            {
                if (stream.ReadAtLeast(entry, 12, throwOnEndOfStream: false) < 12)
                {
                    return Upright;
                }

                // An entry: tag (2), type (2), count (4), value (4; a SHORT sits in its first two bytes).
                if (ReadUInt16(entry, little) == 0x0112)
                {
                    return ReadUInt16(entry[8..], little);
                }
            }
        }
        catch (IOException)
        {
        }

        return Upright;
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> b, bool little) =>
        little ? (ushort)(b[0] | (b[1] << 8)) : (ushort)((b[0] << 8) | b[1]);

    private static uint ReadUInt32(ReadOnlySpan<byte> b, bool little) =>
        little ? (uint)(b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) : (uint)((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]);
}
