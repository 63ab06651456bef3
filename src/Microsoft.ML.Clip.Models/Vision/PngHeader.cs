using System.Buffers.Binary;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// What Skia does not tell about a PNG but Pillow acts on: a 16-bit greyscale image (Pillow mode <c>I</c>, whose
/// <c>convert("RGB")</c> clips values to 255 rather than scaling them) and the EXIF orientation of an <c>eXIf</c> chunk.
/// Reads chunk headers only (seeking over the data).
/// </summary>
internal readonly record struct PngHeader(bool IsGray16, int Orientation)
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads a PNG's header and chunk list; null when the stream is not a PNG.</summary>
    public static PngHeader? Read(Stream stream)
    {
        Span<byte> head = stackalloc byte[8 + 8 + 13];   // signature, IHDR length + type, IHDR data
        if (stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length || !head[..8].SequenceEqual(Signature))
        {
            return null;
        }

        // IHDR: width (4), height (4), bit depth (1), colour type (1: 0 = greyscale), …
        bool gray16 = head[24] == 16 && head[25] == 0;
        int orientation = ImageOrientation.Upright;
        stream.Position = 8 + 8 + 13 + 4;   // after IHDR's CRC
        Span<byte> chunk = stackalloc byte[8];
        while (stream.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) == 8)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(chunk);
            long data = stream.Position;
            if (chunk[4..8].SequenceEqual("eXIf"u8))
            {
                orientation = ImageOrientation.ReadTiff(stream);
                break;
            }

            if (chunk[4..8].SequenceEqual("IEND"u8) || data + length + 4 > stream.Length)
            {
                break;
            }

            stream.Position = data + length + 4;   // data and CRC
        }

        return new PngHeader(gray16, orientation);
    }
}
