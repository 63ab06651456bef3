using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Clip.Tests.Checkpoints;

/// <summary>Writes small safetensors files, torch-style zips and temporary folders for checkpoint tests.</summary>
internal static class TestFiles
{
    /// <summary>One tensor to write: safetensors dtype name, shape and raw little-endian bytes.</summary>
    public sealed record RawTensor(string Name, string DType, int[] Shape, byte[] Data);

    /// <summary>A fresh empty folder under the temp directory; deleted by <see cref="DeleteFolder"/>.</summary>
    public static string NewFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "clip-ckpt-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a folder made by <see cref="NewFolder"/>.</summary>
    public static void DeleteFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Builds safetensors bytes with the header padded to a multiple of 8, like the Python writer.</summary>
    public static byte[] SafeTensors(IEnumerable<RawTensor> tensors, int headerPad = -1)
    {
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        var data = new MemoryStream();
        foreach (RawTensor t in tensors)
        {
            header[t.Name] = new { dtype = t.DType, shape = t.Shape, data_offsets = new[] { data.Length, data.Length + t.Data.Length } };
            data.Write(t.Data);
        }

        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int pad = headerPad >= 0 ? headerPad : (8 - (json.Length % 8)) % 8;
        var output = new MemoryStream();
        output.Write(BitConverter.GetBytes((ulong)(json.Length + pad)));
        output.Write(json);
        output.Write(Enumerable.Repeat((byte)' ', pad).ToArray());
        output.Write(data.ToArray());
        return output.ToArray();
    }

    /// <summary>Builds safetensors bytes from a raw JSON header and data section.</summary>
    public static byte[] SafeTensorsRaw(string headerJson, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(headerJson);
        var output = new MemoryStream();
        output.Write(BitConverter.GetBytes((ulong)json.Length));
        output.Write(json);
        output.Write(data);
        return output.ToArray();
    }

    /// <summary>Writes a sharded checkpoint's index (<c>*.index.json</c>) mapping tensor names to shard files.</summary>
    public static void WriteIndex(string path, Dictionary<string, string> weightMap) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new { metadata = new { total_size = 0 }, weight_map = weightMap }));

    /// <summary>Float32 values as little-endian bytes.</summary>
    public static byte[] F32(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    /// <summary>Writes a zip whose entries are stored uncompressed, like torch.save.</summary>
    public static void Zip(string path, params (string Name, byte[] Data)[] entries)
    {
        using var stream = new FileStream(path, FileMode.Create);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        foreach (var (name, data) in entries)
        {
            ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
            using Stream s = entry.Open();
            s.Write(data);
        }
    }
}
