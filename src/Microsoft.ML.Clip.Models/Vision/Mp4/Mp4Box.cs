using System.Buffers.Binary;

namespace Microsoft.ML.Clip.Vision.Mp4;

/// <summary>
/// One ISO-BMFF box inside a byte buffer: its four-character type and where its payload lies. Every size read from the
/// file is checked against the bytes that are there; a box that does not fit makes the whole probe give up.
/// </summary>
/// <param name="Type">The four-character type as a big-endian number (see <see cref="Tag"/>).</param>
/// <param name="PayloadStart">The offset of the payload (after the header) in the buffer.</param>
/// <param name="PayloadLength">The payload's length in bytes.</param>
internal readonly record struct Mp4Box(uint Type, int PayloadStart, int PayloadLength)
{
    /// <summary>A four-character type, e.g. <c>Tag("moov")</c>, as the big-endian number a box header holds.</summary>
    public static uint Tag(string fourCc) =>
        ((uint)fourCc[0] << 24) | ((uint)fourCc[1] << 16) | ((uint)fourCc[2] << 8) | fourCc[3];

    /// <summary>The payload within <paramref name="buffer"/>.</summary>
    public ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> buffer) => buffer.Slice(PayloadStart, PayloadLength);

    /// <summary>
    /// The boxes laid end to end in <paramref name="buffer"/>[<paramref name="start"/>, <paramref name="start"/> +
    /// <paramref name="length"/>); null when one is malformed (size below its header, past the end, or a 64-bit size
    /// that does not fit). A size of 0 means "to the end of the enclosing range", as the standard says.
    /// </summary>
    public static List<Mp4Box>? Children(ReadOnlySpan<byte> buffer, int start, int length)
    {
        var boxes = new List<Mp4Box>();
        int end = start + length;
        int position = start;
        while (position < end)
        {
            if (end - position < 8)
            {
                return null;
            }

            long size = BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(position, 4));
            uint type = BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(position + 4, 4));
            int header = 8;
            if (size == 1)
            {
                if (end - position < 16)
                {
                    return null;
                }

                ulong large = BinaryPrimitives.ReadUInt64BigEndian(buffer.Slice(position + 8, 8));
                size = large > int.MaxValue ? -1 : (long)large;
                header = 16;
            }
            else if (size == 0)
            {
                size = end - position;
            }

            if (size < header || size > end - position)
            {
                return null;
            }

            boxes.Add(new Mp4Box(type, position + header, (int)size - header));
            position += (int)size;
        }

        return boxes;
    }

    /// <summary>The first child of type <paramref name="type"/> in <paramref name="boxes"/>, or null.</summary>
    public static Mp4Box? Find(List<Mp4Box> boxes, string type)
    {
        uint tag = Tag(type);
        foreach (Mp4Box box in boxes)
        {
            if (box.Type == tag)
            {
                return box;
            }
        }

        return null;
    }
}
