using System.IO.Compression;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// The zip container <c>torch.save</c> writes (≥ 1.6): <c>&lt;prefix&gt;/data.pkl</c>, <c>&lt;prefix&gt;/data/&lt;key&gt;</c>
/// storages, <c>&lt;prefix&gt;/version</c>, optionally <c>&lt;prefix&gt;/byteorder</c>. Entry names are validated
/// (no <c>..</c> segments, no absolute paths); every read is bounds-checked. Reads are serialized (thread-safe).
/// </summary>
internal sealed class TorchZipArchive : IDisposable
{
    /// <summary>The largest data.pkl accepted (a state dict's pickle is a few MB even for large models).</summary>
    private const long MaxPickleLength = 1L << 30;

    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private MappedFile? _mapped;
    private Dictionary<string, (long DataOffset, long Length)>? _storedOffsets;

    private TorchZipArchive(string path, ZipArchive zip)
    {
        Path = path;
        _zip = zip;
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            CheckEntryName(path, entry.FullName);
            _entries[entry.FullName] = entry;
        }

        string[] pickles = _entries.Keys.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - "/data.pkl".Length).ToArray();
        if (pickles.Length != 1)
        {
            throw new InvalidDataException(
                $"'{path}' is a zip file but not a PyTorch checkpoint: expected exactly one '<name>/data.pkl' entry, found {pickles.Length}.");
        }

        Prefix = pickles[0][..^"data.pkl".Length];
        if (_entries.TryGetValue(Prefix + "byteorder", out ZipArchiveEntry? byteOrder))
        {
            string order = System.Text.Encoding.ASCII.GetString(ReadEntry(byteOrder, Math.Min(byteOrder.Length, 16))).Trim();
            if (order != "little")
            {
                throw new InvalidDataException($"'{path}' stores tensors in '{order}' byte order; only little-endian checkpoints are supported.");
            }
        }
    }

    /// <summary>The file path.</summary>
    public string Path { get; }

    /// <summary>The record prefix, e.g. <c>pytorch_model/</c>.</summary>
    public string Prefix { get; }

    /// <summary>Opens and validates a torch zip checkpoint.</summary>
    public static TorchZipArchive Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        try
        {
            Span<byte> magic = stackalloc byte[4];
            int read = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
            if (read < 4 || magic[0] != (byte)'P' || magic[1] != (byte)'K')
            {
                throw new InvalidDataException(
                    $"'{path}' is not a zip-format PyTorch checkpoint (torch.save ≥ 1.6). Legacy (pre-1.6) checkpoints are not supported: re-save it with a recent torch, or convert it to safetensors.");
            }

            stream.Position = 0;
            ZipArchive zip;
            try
            {
                zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"'{path}' is a corrupt or truncated zip file ({e.Message}). Re-download it.", e);
            }

            try
            {
                var archive = new TorchZipArchive(path, zip);
                archive.MapStoredEntries();
                return archive;
            }
            catch
            {
                zip.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads <c>data.pkl</c>.</summary>
    public byte[] ReadPickle()
    {
        ZipArchiveEntry entry = _entries[Prefix + "data.pkl"];
        if (entry.Length > MaxPickleLength)
        {
            throw new InvalidDataException($"'{Path}': data.pkl claims {entry.Length} bytes, more than the {MaxPickleLength}-byte limit.");
        }

        return ReadEntry(entry, entry.Length);
    }

    /// <summary>Reads the first <paramref name="byteCount"/> bytes of storage <paramref name="key"/>.</summary>
    public byte[] ReadStorage(string key, long byteCount)
    {
        if (byteCount > Array.MaxLength)
        {
            throw new InvalidDataException($"'{Path}': storage '{key}' is {byteCount} bytes, larger than one buffer can hold.");
        }

        var buffer = new byte[byteCount];
        ReadStorage(key, 0, buffer);
        return buffer;
    }

    /// <summary>Fills <paramref name="destination"/> from storage <paramref name="key"/> starting at byte <paramref name="byteOffset"/>.</summary>
    public void ReadStorage(string key, long byteOffset, Span<byte> destination)
    {
        ZipArchiveEntry entry = StorageEntry(key);
        if (byteOffset < 0 || entry.Length < byteOffset + destination.Length)
        {
            throw new InvalidDataException(
                $"'{Path}': storage '{entry.FullName}' has {entry.Length} bytes but a tensor needs bytes [{byteOffset}, {byteOffset + destination.Length}). The file is truncated or corrupt.");
        }

        lock (_lock)
        {
            try
            {
                using Stream stream = entry.Open();
                Skip(stream, byteOffset);
                stream.ReadExactly(destination);
            }
            catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException)
            {
                throw new InvalidDataException($"'{Path}': entry '{entry.FullName}' could not be read ({e.Message}). The file is truncated or corrupt; re-download it.", e);
            }
        }
    }

    private ZipArchiveEntry StorageEntry(string key)
    {
        if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new InvalidDataException($"'{Path}': storage key '{key}' is not a plain record name.");
        }

        string name = $"{Prefix}data/{key}";
        return _entries.TryGetValue(name, out ZipArchiveEntry? entry)
            ? entry
            : throw new InvalidDataException($"'{Path}': the pickle references storage '{key}' but the zip has no entry '{name}'. The file is truncated or corrupt.");
    }

    private static void Skip(Stream stream, long count)
    {
        if (count == 0)
        {
            return;
        }

        if (stream.CanSeek)
        {
            stream.Seek(count, SeekOrigin.Current);
            return;
        }

        byte[] scratch = new byte[(int)Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            int read = stream.Read(scratch, 0, (int)Math.Min(count, scratch.Length));
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            count -= read;
        }
    }

    /// <summary>
    /// Returns a zero-copy view of <paramref name="count"/> float32 values at byte <paramref name="byteOffset"/> of storage
    /// <paramref name="key"/> when the entry is stored uncompressed and the data is 4-byte aligned; otherwise null.
    /// </summary>
    public unsafe Memory<float>? TryMapFloat32(string key, long byteOffset, int count)
    {
        ZipArchiveEntry entry = StorageEntry(key);
        if (_mapped is null || _storedOffsets is null || count == 0 || !BitConverter.IsLittleEndian
            || !_storedOffsets.TryGetValue(entry.FullName, out var stored) || byteOffset < 0 || stored.Length < byteOffset + (4L * count))
        {
            return null;
        }

        long offset = stored.DataOffset + byteOffset;
        if (((nuint)_mapped.Address(offset) & 3) != 0)
        {
            return null;
        }

        return new MappedFloatMemory(_mapped, offset, count).Memory;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _zip.Dispose();
            _mapped?.Dispose();
        }
    }

    /// <summary>Maps the file and locates stored entries; keeps them only if they agree with <see cref="ZipArchive"/>.</summary>
    private void MapStoredEntries()
    {
        MappedFile? mapped = MappedFile.Open(Path);
        Dictionary<string, (long DataOffset, long Length)>? offsets = mapped is null ? null : ZipStoredEntries.Read(mapped);
        bool consistent = offsets is not null && offsets.All(o => _entries.TryGetValue(o.Key, out ZipArchiveEntry? e) && e.Length == o.Value.Length);
        if (!consistent)
        {
            mapped?.Dispose();
            return;
        }

        _mapped = mapped;
        _storedOffsets = offsets;
    }

    private byte[] ReadEntry(ZipArchiveEntry entry, long byteCount)
    {
        if (byteCount > Array.MaxLength)
        {
            throw new InvalidDataException($"'{Path}': entry '{entry.FullName}' is {byteCount} bytes, larger than one buffer can hold.");
        }

        var buffer = new byte[byteCount];
        lock (_lock)
        {
            try
            {
                using Stream stream = entry.Open();
                stream.ReadExactly(buffer);
            }
            catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException)
            {
                throw new InvalidDataException($"'{Path}': entry '{entry.FullName}' could not be read ({e.Message}). The file is truncated or corrupt; re-download it.", e);
            }
        }

        return buffer;
    }

    /// <summary>Refuses entry names that could escape a folder if extracted: <c>..</c> segments, absolute or drive paths, backslashes.</summary>
    internal static void CheckEntryName(string path, string name)
    {
        bool bad = name.Length == 0 || name[0] == '/' || name.Contains('\\') || name.Contains('\0')
            || (name.Length >= 2 && name[1] == ':')
            || name.Split('/').Any(segment => segment == "..");
        if (bad)
        {
            throw new InvalidDataException($"'{path}': zip entry '{name}' has an unsafe path (absolute, '..' or backslash); the file is refused.");
        }
    }
}
