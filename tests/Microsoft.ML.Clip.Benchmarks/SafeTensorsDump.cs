using System.Text;
using System.Text.Json;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>Records the weights a model takes and writes them as a float32 safetensors file (for load-memory measurements).</summary>
internal sealed class SafeTensorsDump : IWeightSource
{
    private readonly IWeightSource _inner;
    private readonly List<(string Name, Tensor Tensor)> _taken = new();

    public SafeTensorsDump(IWeightSource inner) => _inner = inner;

    public Tensor Take(string name, WeightRole role, params int[] shape)
    {
        Tensor tensor = _inner.Take(name, role, shape);
        _taken.Add((name, tensor));
        return tensor;
    }

    public void Write(string path)
    {
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, tensor) in _taken)
        {
            long bytes = (long)tensor.Length * 4;
            header[name] = new { dtype = "F32", shape = tensor.Shape.ToArray(), data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }

        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            stream.Write(BitConverter.GetBytes((ulong)padded));
            stream.Write(json);
            for (int i = json.Length; i < padded; i++)
            {
                stream.WriteByte((byte)' ');
            }

            foreach (var (_, tensor) in _taken)
            {
                stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.Span));
            }
        }

        File.Move(temporary, path, overwrite: true);
    }
}
