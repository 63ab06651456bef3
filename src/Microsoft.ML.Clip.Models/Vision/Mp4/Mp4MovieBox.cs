using System.Buffers.Binary;

namespace Microsoft.ML.Clip.Vision.Mp4;

/// <summary>
/// Finds an ISO-BMFF file's <c>moov</c> box by walking the top-level boxes (seeking past <c>mdat</c>, so a
/// <c>moov</c> at the end costs a few reads) and reads only that box into memory.
/// </summary>
internal static class Mp4MovieBox
{
    /// <summary>The largest <c>moov</c> read (a sample table of several hours is a few MiB); larger ones go to ffprobe.</summary>
    public const int MaxMovieBoxBytes = 64 << 20;

    private const int MaxTopLevelBoxes = 4096;

    /// <summary>
    /// The <c>moov</c> payload of <paramref name="file"/>, or null when the file is not a plain (unfragmented) ISO-BMFF
    /// file starting with <c>ftyp</c>, has no <c>moov</c>, or has a malformed or truncated top-level box.
    /// </summary>
    public static byte[]? Read(Stream file)
    {
        long length = file.Length;
        long position = 0;
        Span<byte> header = stackalloc byte[16];
        byte[]? movie = null;
        for (int count = 0; position < length; count++)
        {
            if (count == MaxTopLevelBoxes || length - position < 8)
            {
                return null;
            }

            file.Position = position;
            file.ReadExactly(header[..8]);
            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            uint type = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
            int headerLength = 8;
            if (size == 1)
            {
                if (length - position < 16)
                {
                    return null;
                }

                file.ReadExactly(header[8..16]);
                ulong large = BinaryPrimitives.ReadUInt64BigEndian(header[8..]);
                size = large > long.MaxValue ? -1 : (long)large;
                headerLength = 16;
            }
            else if (size == 0)
            {
                size = length - position;
            }

            if (size < headerLength || size > length - position)
            {
                return null;   // past the end: a truncated file, left to ffprobe (which says what it makes of it)
            }

            if (count == 0 && type != Mp4Box.Tag("ftyp"))
            {
                return null;
            }

            if (type == Mp4Box.Tag("moof") || type == Mp4Box.Tag("mfra"))
            {
                return null;   // fragmented: the sample tables are spread over the fragments
            }

            if (type == Mp4Box.Tag("moov"))
            {
                if (movie is not null || size - headerLength > MaxMovieBoxBytes)
                {
                    return null;
                }

                movie = new byte[size - headerLength];
                file.ReadExactly(movie);
            }

            position += size;
        }

        return movie;
    }
}
