using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// Finds where the data of each <em>stored</em> (uncompressed) zip entry begins in the file, so that a memory-mapped
/// <c>pytorch_model.bin</c> can hand out tensors without copying. Reads the end-of-central-directory record (zip64
/// too), the central directory and each local header, bounds-checking every offset against the file length. Any
/// inconsistency yields no offsets (callers then read through <see cref="System.IO.Compression.ZipArchive"/>).
/// </summary>
internal static class ZipStoredEntries
{
    private const uint EndOfCentralDirectorySignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint CentralHeaderSignature = 0x02014b50;
    private const uint LocalHeaderSignature = 0x04034b50;

    /// <summary>Entry name → (offset of its first data byte, its length), for stored entries only; null when the directory cannot be read.</summary>
    public static Dictionary<string, (long DataOffset, long Length)>? Read(MappedFile file)
    {
        try
        {
            return ReadUnchecked(file);
        }
        catch (Exception e) when (e is InvalidDataException or OverflowException or ArgumentOutOfRangeException or DecoderFallbackException)
        {
            return null;
        }
    }

    private static Dictionary<string, (long DataOffset, long Length)>? ReadUnchecked(MappedFile file)
    {
        long length = file.Length;
        long eocd = FindEndOfCentralDirectory(file);
        if (eocd < 0)
        {
            return null;
        }

        ReadOnlySpan<byte> end = Bytes(file, eocd, 22);
        long entryCount = BinaryPrimitives.ReadUInt16LittleEndian(end[10..]);
        long directorySize = BinaryPrimitives.ReadUInt32LittleEndian(end[12..]);
        long directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(end[16..]);
        if (eocd >= 20 && BinaryPrimitives.ReadUInt32LittleEndian(Bytes(file, eocd - 20, 20)) == Zip64LocatorSignature)
        {
            long zip64End = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(Bytes(file, eocd - 20, 20)[8..]));
            ReadOnlySpan<byte> record = Bytes(file, zip64End, 56);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) != Zip64EndSignature)
            {
                return null;
            }

            entryCount = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(record[32..]));
            directorySize = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(record[40..]));
            directoryOffset = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(record[48..]));
        }

        if (directoryOffset + directorySize > length || entryCount > directorySize / 46)
        {
            return null;
        }

        var result = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        long position = directoryOffset;
        for (long i = 0; i < entryCount; i++)
        {
            ReadOnlySpan<byte> header = Bytes(file, position, 46);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != CentralHeaderSignature)
            {
                return null;
            }

            int method = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
            long compressedSize = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
            long localOffset = BinaryPrimitives.ReadUInt32LittleEndian(header[42..]);
            string name = new UTF8Encoding(false, true).GetString(Bytes(file, position + 46, nameLength));
            ReadZip64Extra(Bytes(file, position + 46 + nameLength, extraLength), ref size, ref compressedSize, ref localOffset);
            position = checked(position + 46 + nameLength + extraLength + commentLength);

            if (method != 0 || compressedSize != size)
            {
                continue; // Compressed: read through ZipArchive.
            }

            ReadOnlySpan<byte> local = Bytes(file, localOffset, 30);
            if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalHeaderSignature)
            {
                return null;
            }

            long dataOffset = checked(localOffset + 30 + BinaryPrimitives.ReadUInt16LittleEndian(local[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(local[28..]));
            if (dataOffset + size > length)
            {
                return null;
            }

            result[name] = (dataOffset, size);
        }

        return result;
    }

    /// <summary>Replaces 0xFFFFFFFF sizes/offset with the values of the zip64 extra field (id 0x0001), in its fixed order.</summary>
    private static void ReadZip64Extra(ReadOnlySpan<byte> extra, ref long size, ref long compressedSize, ref long localOffset)
    {
        while (extra.Length >= 4)
        {
            int id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            int fieldLength = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (fieldLength > extra.Length - 4)
            {
                throw new InvalidDataException("zip extra field runs past its header");
            }

            ReadOnlySpan<byte> field = extra.Slice(4, fieldLength);
            if (id == 0x0001)
            {
                int at = 0;
                size = Next(field, ref at, size);
                compressedSize = Next(field, ref at, compressedSize);
                localOffset = Next(field, ref at, localOffset);
            }

            extra = extra[(4 + fieldLength)..];
        }

        static long Next(ReadOnlySpan<byte> field, ref int at, long value)
        {
            if (value != 0xFFFFFFFF)
            {
                return value;
            }

            if (at + 8 > field.Length)
            {
                throw new InvalidDataException("zip64 extra field is too short");
            }

            long read = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(field[at..]));
            at += 8;
            return read;
        }
    }

    private static long FindEndOfCentralDirectory(MappedFile file)
    {
        // The record is 22 bytes plus a comment of at most 65535 bytes, at the end of the file.
        long lowest = Math.Max(0, file.Length - 22 - 65535);
        for (long position = file.Length - 22; position >= lowest; position--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(file.Bytes(position, 4)) == EndOfCentralDirectorySignature)
            {
                return position;
            }
        }

        return -1;
    }

    private static ReadOnlySpan<byte> Bytes(MappedFile file, long offset, int count)
    {
        if (offset < 0 || count < 0 || offset > file.Length - count)
        {
            throw new InvalidDataException($"zip structure at {offset} (+{count}) lies outside the file");
        }

        return file.Bytes(offset, count);
    }
}
