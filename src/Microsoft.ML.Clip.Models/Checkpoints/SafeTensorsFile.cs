using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// A <c>.safetensors</c> file: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data.
/// </summary>
/// <remarks>
/// <see cref="Open"/> memory-maps the file (copy-on-write: writing to a tensor never changes the file). Aligned F32
/// tensors are then zero-copy views of the mapping; F16/BF16/F64 are converted to new float32 arrays. The mapping
/// stays alive while the store or any zero-copy tensor is referenced; <see cref="Dispose"/> releases the store's hold.
/// Every header length, offset and shape is validated against the file size when the file is opened.
/// </remarks>
public sealed class SafeTensorsFile : ITensorStore
{
    private readonly byte[]? _bytes;
    private readonly MappedFile? _mapped;
    private readonly Dictionary<string, SafeTensorsHeader.Entry> _entries;

    private SafeTensorsFile(string source, byte[]? bytes, MappedFile? mapped, long length)
    {
        Source = source;
        _bytes = bytes;
        _mapped = mapped;
        ReadOnlySpan<byte> first8 = length >= 8 ? Bytes(0, 8) : ReadOnlySpan<byte>.Empty;
        _entries = SafeTensorsHeader.Parse(source, length, first8, HeaderBytes, out Dictionary<string, string> metadata);
        Metadata = metadata;
    }

    /// <inheritdoc />
    public string Source { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<string> Names => _entries.Keys;

    /// <summary>The header's <c>__metadata__</c> strings, e.g. <c>format</c> = <c>pt</c>; empty when absent.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>True when the file is memory-mapped (opened with <see cref="Open"/>) rather than held in an array.</summary>
    public bool IsMemoryMapped => _mapped is not null;

    /// <summary>Opens and memory-maps a safetensors file, validating its header.</summary>
    /// <param name="path">The file path.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated or its header is corrupt; the message names the file and tensor.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"The safetensors file '{fullPath}' does not exist.", fullPath);
        }

        MappedFile? mapped = MappedFile.Open(fullPath);
        if (mapped is null)
        {
            return new SafeTensorsFile(fullPath, Array.Empty<byte>(), null, 0);
        }

        try
        {
            return new SafeTensorsFile(fullPath, null, mapped, mapped.Length);
        }
        catch
        {
            mapped.Dispose();
            throw;
        }
    }

    /// <summary>Reads safetensors content already in memory (e.g. decompressed from a <c>.safetensors.gz</c>).</summary>
    /// <param name="data">The whole file's bytes.</param>
    /// <param name="source">A name for error messages.</param>
    public static SafeTensorsFile FromBytes(byte[] data, string source)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new SafeTensorsFile(source, data, null, data.Length);
    }

    /// <inheritdoc />
    public TensorInfo? GetInfo(string name) => _entries.TryGetValue(name, out var entry) ? entry.Info : null;

    /// <inheritdoc />
    public Tensor LoadFloat32(string name)
    {
        var (info, offset, byteLength) = Find(name);
        int count = checked((int)TensorDataTypes.ElementCount(info.Shape));
        if (info.DataType == TensorDataType.Float32 && _mapped is not null && BitConverter.IsLittleEndian && count > 0 && IsFloatAligned(offset))
        {
            return new Tensor(new MappedFloatMemory(_mapped, offset, count).Memory, info.Shape);
        }

        var values = new float[count];
        ElementConverter.ToFloat32(Bytes(offset, checked((int)byteLength)), info.DataType, values, $"'{Source}': tensor '{name}'");
        return new Tensor(values, info.Shape);
    }

    /// <inheritdoc />
    public (long[] Values, int[] Shape) LoadInt64(string name)
    {
        var (info, offset, byteLength) = Find(name);
        var values = new long[checked((int)TensorDataTypes.ElementCount(info.Shape))];
        ElementConverter.ToInt64(Bytes(offset, checked((int)byteLength)), info.DataType, values, $"'{Source}': tensor '{name}'");
        return (values, (int[])info.Shape.Clone());
    }

    /// <inheritdoc />
    public void Dispose() => _mapped?.Dispose();

    private unsafe bool IsFloatAligned(long offset) => ((nuint)_mapped!.Address(offset) & 3) == 0;

    private ReadOnlySpan<byte> Bytes(long offset, int length) =>
        _mapped is not null ? _mapped.Bytes(offset, length) : _bytes.AsSpan(checked((int)offset), length);

    private ReadOnlyMemory<byte> HeaderBytes(int length) =>
        _bytes is not null ? _bytes.AsMemory(8, length) : _mapped!.Bytes(8, length).ToArray();

    private SafeTensorsHeader.Entry Find(string name) =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"'{Source}' has no tensor named '{name}'.");
}
