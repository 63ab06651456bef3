using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.ML.Clip.IO;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// Builds a <c>.safetensors</c> file (8-byte little-endian header length, JSON header padded with spaces to a multiple
/// of 8 bytes, then the little-endian data of each tensor in order), readable by Python's <c>safetensors</c> and by
/// <see cref="SafeTensorsFile"/>. Written atomically.
/// </summary>
public sealed class SafeTensorsWriter
{
    private readonly List<(string Name, string DType, int[] Shape, byte[] Data)> _tensors = new();
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    /// <summary>The names added so far, in order.</summary>
    public IEnumerable<string> Names => _tensors.Select(t => t.Name);

    /// <summary>Adds a float32 tensor.</summary>
    /// <param name="name">The tensor name (unique).</param>
    /// <param name="tensor">The values and shape.</param>
    public SafeTensorsWriter Add(string name, Tensor tensor) => Add(name, tensor.Span, tensor.Shape.ToArray());

    /// <summary>Adds a float32 tensor.</summary>
    /// <param name="name">The tensor name (unique).</param>
    /// <param name="values">Row-major values.</param>
    /// <param name="shape">The dimensions; their product must equal the number of values.</param>
    public SafeTensorsWriter Add(string name, ReadOnlySpan<float> values, int[] shape)
    {
        CheckCount(name, values.Length, shape);
        var data = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
        }

        return AddRaw(name, "F32", shape, data);
    }

    /// <summary>Adds an int64 tensor (token ids, attention masks).</summary>
    /// <param name="name">The tensor name (unique).</param>
    /// <param name="values">Row-major values.</param>
    /// <param name="shape">The dimensions; their product must equal the number of values.</param>
    public SafeTensorsWriter Add(string name, ReadOnlySpan<long> values, int[] shape)
    {
        CheckCount(name, values.Length, shape);
        var data = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(i * 8), values[i]);
        }

        return AddRaw(name, "I64", shape, data);
    }

    /// <summary>Sets a <c>__metadata__</c> entry (string to string, as the format requires).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    public SafeTensorsWriter SetMetadata(string key, string value)
    {
        _metadata[key] = value;
        return this;
    }

    /// <summary>Writes the file atomically (temporary name, then rename).</summary>
    /// <param name="path">The destination.</param>
    public void Save(string path) => AtomicFile.Write(path, WriteTo);

    /// <summary>Writes the file's bytes to a stream.</summary>
    /// <param name="stream">The destination stream.</param>
    public void WriteTo(Stream stream)
    {
        byte[] header = BuildHeader();
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var tensor in _tensors)
        {
            stream.Write(tensor.Data);
        }
    }

    private SafeTensorsWriter AddRaw(string name, string dtype, int[] shape, byte[] data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == "__metadata__" || _tensors.Any(t => t.Name == name))
        {
            throw new ArgumentException($"The safetensors output already has a tensor named '{name}' (or the name is reserved).", nameof(name));
        }

        _tensors.Add((name, dtype, (int[])shape.Clone(), data));
        return this;
    }

    private static void CheckCount(string name, int count, int[] shape)
    {
        long expected = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Tensor '{name}': negative dimension in shape {Tensor.FormatShape(shape)}.", nameof(shape));
            }

            expected *= d;
        }

        if (expected != count)
        {
            throw new ArgumentException($"Tensor '{name}': shape {Tensor.FormatShape(shape)} holds {expected} values, but {count} were given.", nameof(shape));
        }
    }

    private byte[] BuildHeader()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (_metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in _metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, dtype, shape, data) in _tensors)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (int d in shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += data.Length;
            }

            json.WriteEndObject();
        }

        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        int padded = (int)((buffer.Length + 7) / 8 * 8);
        var header = new byte[padded];
        buffer.ToArray().CopyTo(header, 0);
        header.AsSpan((int)buffer.Length).Fill((byte)' ');
        return header;
    }
}
