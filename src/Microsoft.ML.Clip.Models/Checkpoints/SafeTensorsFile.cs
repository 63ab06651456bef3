using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// A <c>.safetensors</c> file: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data.
/// </summary>
public sealed class SafeTensorsFile : ITensorStore
{
    private readonly byte[] _data;
    private readonly long _dataStart;
    private readonly Dictionary<string, (TensorInfo Info, long Begin, long End)> _entries = new(StringComparer.Ordinal);

    private SafeTensorsFile(string path, byte[] data)
    {
        Source = path;
        _data = data;
        if (data.Length < 8)
        {
            throw new InvalidDataException($"'{path}' is not a safetensors file: it has {data.Length} bytes, fewer than the 8-byte header length.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(data);
        if (headerLength > (ulong)(data.Length - 8))
        {
            throw new InvalidDataException($"'{path}' is truncated or not a safetensors file: its header claims {headerLength} bytes but the file has {data.Length}.");
        }

        _dataStart = 8 + (long)headerLength;
        using JsonDocument header = JsonDocument.Parse(data.AsMemory(8, (int)headerLength));
        foreach (JsonProperty property in header.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                continue;
            }

            TensorDataType dtype = ParseDataType(path, property.Name, property.Value.GetProperty("dtype").GetString());
            int[] shape = property.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            JsonElement offsets = property.Value.GetProperty("data_offsets");
            long begin = offsets[0].GetInt64();
            long end = offsets[1].GetInt64();
            if (begin < 0 || end < begin || _dataStart + end > data.Length)
            {
                throw new InvalidDataException($"'{path}': tensor '{property.Name}' spans bytes [{begin}, {end}) of the data section, beyond the end of the file.");
            }

            _entries[property.Name] = (new TensorInfo(property.Name, dtype, shape), begin, end);
        }
    }

    /// <inheritdoc />
    public string Source { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<string> Names => _entries.Keys;

    /// <summary>Opens a safetensors file.</summary>
    /// <param name="path">The file path.</param>
    public static SafeTensorsFile Open(string path) => new(path, File.ReadAllBytes(path));

    /// <summary>Reads safetensors content already in memory (e.g. decompressed from a <c>.safetensors.gz</c>).</summary>
    /// <param name="data">The whole file's bytes.</param>
    /// <param name="source">A name for error messages.</param>
    public static SafeTensorsFile FromBytes(byte[] data, string source) => new(source, data);

    /// <inheritdoc />
    public TensorInfo? GetInfo(string name) => _entries.TryGetValue(name, out var entry) ? entry.Info : null;

    /// <inheritdoc />
    public Tensor LoadFloat32(string name)
    {
        var (info, begin, end) = Find(name);
        ReadOnlySpan<byte> bytes = _data.AsSpan((int)(_dataStart + begin), (int)(end - begin));
        var values = new float[bytes.Length / 4];
        if (info.DataType != TensorDataType.Float32)
        {
            throw new NotSupportedException($"'{Source}': tensor '{name}' is {info.DataType}; only Float32 is read yet.");
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
        }

        return new Tensor(values, info.Shape);
    }

    /// <inheritdoc />
    public (long[] Values, int[] Shape) LoadInt64(string name)
    {
        var (info, begin, end) = Find(name);
        ReadOnlySpan<byte> bytes = _data.AsSpan((int)(_dataStart + begin), (int)(end - begin));
        long[] values;
        switch (info.DataType)
        {
            case TensorDataType.Int64:
                values = new long[bytes.Length / 8];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * 8)..]);
                }

                break;
            case TensorDataType.Int32:
                values = new long[bytes.Length / 4];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]);
                }

                break;
            default:
                throw new InvalidDataException($"'{Source}': tensor '{name}' is {info.DataType}, not an integer tensor.");
        }

        return (values, info.Shape);
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private (TensorInfo Info, long Begin, long End) Find(string name) =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"'{Source}' has no tensor named '{name}'.");

    private static TensorDataType ParseDataType(string path, string name, string? dtype) => dtype switch
    {
        "F32" => TensorDataType.Float32,
        "F16" => TensorDataType.Float16,
        "BF16" => TensorDataType.BFloat16,
        "I64" => TensorDataType.Int64,
        "I32" => TensorDataType.Int32,
        _ => throw new InvalidDataException($"'{path}': tensor '{name}' has dtype '{dtype}', which is not supported (F32, F16, BF16, I64, I32)."),
    };
}
