using System.Buffers.Binary;
using System.Text.Json;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// Parses and validates the header of a safetensors file the way the reference <c>safetensors</c> library does:
/// header length within the file, a JSON object, known dtypes, non-negative shapes, byte ranges that tile the data
/// section exactly (contiguous, non-overlapping, in the file) and match product(shape) × element size.
/// </summary>
internal static class SafeTensorsHeader
{
    /// <summary>The largest header the reference implementation accepts (100 MB).</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>One tensor's description and its byte range relative to the file start.</summary>
    public readonly record struct Entry(TensorInfo Info, long Offset, long ByteLength);

    /// <summary>Parses the header of a file of <paramref name="fileLength"/> bytes.</summary>
    /// <param name="source">The file name for messages.</param>
    /// <param name="fileLength">The whole file's length.</param>
    /// <param name="readHeader">Returns the bytes [8, 8 + n) once the length n is validated.</param>
    /// <param name="first8">The file's first 8 bytes (or fewer, for a tiny file).</param>
    /// <param name="metadata">Receives the <c>__metadata__</c> string map (empty when absent).</param>
    public static Dictionary<string, Entry> Parse(string source, long fileLength, ReadOnlySpan<byte> first8, Func<int, ReadOnlyMemory<byte>> readHeader, out Dictionary<string, string> metadata)
    {
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fileLength < 8)
        {
            throw new InvalidDataException($"'{source}' is not a safetensors file: it has {fileLength} bytes, fewer than the 8-byte header length. Is the download truncated?");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(first8);
        if (headerLength > (ulong)(fileLength - 8))
        {
            throw new InvalidDataException(
                $"'{source}' is truncated or not a safetensors file: its header length field says {headerLength} bytes but only {fileLength - 8} follow it. Re-download the file.");
        }

        if (headerLength > MaxHeaderLength)
        {
            throw new InvalidDataException($"'{source}': the safetensors header is {headerLength} bytes, more than the {MaxHeaderLength}-byte limit; the file is corrupt.");
        }

        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;
        ReadOnlyMemory<byte> headerBytes = readHeader((int)headerLength);
        if (headerBytes.Length == 0 || headerBytes.Span[0] != (byte)'{')
        {
            throw new InvalidDataException($"'{source}' is not a safetensors file: its header does not start with a JSON object '{{'.");
        }

        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var ranges = new List<(long Begin, long End, string Name)>();
        try
        {
            using JsonDocument header = JsonDocument.Parse(headerBytes);
            foreach (JsonProperty property in header.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw new InvalidDataException($"'{source}': '__metadata__' must be an object of strings.");
                    }

                    foreach (JsonProperty item in property.Value.EnumerateObject())
                    {
                        metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : item.Value.GetRawText();
                    }

                    continue;
                }

                var (info, begin, end) = ParseEntry(source, property);
                if (entries.ContainsKey(info.Name))
                {
                    throw new InvalidDataException($"'{source}': tensor '{info.Name}' appears twice in the header.");
                }

                if (end > dataLength)
                {
                    throw new InvalidDataException(
                        $"'{source}': tensor '{info.Name}' spans bytes [{begin}, {end}) of the data section, but the file has only {dataLength} data bytes. The file is truncated; re-download it.");
                }

                entries.Add(info.Name, new Entry(info, dataStart + begin, end - begin));
                ranges.Add((begin, end, info.Name));
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}': the safetensors header is not valid JSON ({e.Message}).", e);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"'{source}': the safetensors header has an unexpected structure ({e.Message}).", e);
        }

        CheckTiling(source, ranges, dataLength);
        return entries;
    }

    private static (TensorInfo Info, long Begin, long End) ParseEntry(string source, JsonProperty property)
    {
        string name = property.Name;
        JsonElement value = property.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw new InvalidDataException($"'{source}': header entry for tensor '{name}' must be an object with 'dtype', 'shape' and a 2-element 'data_offsets'.");
        }

        string? dtypeName = dtypeElement.GetString();
        TensorDataType dataType = TensorDataTypes.FromSafeTensorsName(dtypeName)
            ?? throw new InvalidDataException($"'{source}': tensor '{name}' has dtype '{dtypeName}', which is not supported (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL).");

        var shape = new int[shapeElement.GetArrayLength()];
        int axis = 0;
        foreach (JsonElement dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out int size) || size < 0)
            {
                throw new InvalidDataException($"'{source}': tensor '{name}' has an invalid shape entry '{dim}' (expected a non-negative 32-bit integer).");
            }

            shape[axis++] = size;
        }

        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
        {
            throw new InvalidDataException($"'{source}': tensor '{name}' has invalid data_offsets {offsets} (expected [begin, end] with 0 ≤ begin ≤ end).");
        }

        long expectedBytes;
        try
        {
            expectedBytes = checked(TensorDataTypes.ElementCount(shape) * dataType.ElementSize());
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"'{source}': tensor '{name}' has shape {Numerics.Tensor.FormatShape(shape)}, too large to describe.");
        }

        if (end - begin != expectedBytes)
        {
            throw new InvalidDataException(
                $"'{source}': tensor '{name}' ({dtypeName}, shape {Numerics.Tensor.FormatShape(shape)}) needs {expectedBytes} bytes but its data_offsets [{begin}, {end}) cover {end - begin}.");
        }

        return (new TensorInfo(name, dataType, shape), begin, end);
    }

    /// <summary>Checks the tensors' byte ranges cover [0, dataLength) exactly once, in order.</summary>
    private static void CheckTiling(string source, List<(long Begin, long End, string Name)> ranges, long dataLength)
    {
        ranges.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        string previous = "(start of data)";
        foreach (var (begin, end, name) in ranges)
        {
            if (begin < expected)
            {
                throw new InvalidDataException($"'{source}': tensor '{name}' at bytes [{begin}, {end}) overlaps tensor '{previous}', which ends at {expected}. The header is corrupt.");
            }

            if (begin > expected)
            {
                throw new InvalidDataException($"'{source}': there is a gap of {begin - expected} bytes before tensor '{name}' (after '{previous}'); safetensors data must be contiguous. The header is corrupt.");
            }

            expected = end;
            previous = name;
        }

        if (expected != dataLength)
        {
            throw new InvalidDataException(
                $"'{source}': the tensors cover {expected} data bytes but the file has {dataLength} after the header; the file is corrupt or has trailing data.");
        }
    }
}
