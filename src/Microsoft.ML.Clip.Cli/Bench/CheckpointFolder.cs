using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>
/// A temporary checkpoint folder (<c>config.json</c> + <c>model.safetensors</c>) holding a random-weight model, for
/// timing loads from a memory-mapped file. Deleted on dispose.
/// </summary>
internal sealed class CheckpointFolder : IDisposable
{
    private CheckpointFolder(string path) => Path = path;

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>Writes a random X-CLIP checkpoint of <paramref name="config"/> (the weights <c>XClipModel.CreateRandom</c> would use).</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="seed">The random seed.</param>
    public static CheckpointFolder WriteXClip(XClipConfig config, int seed)
    {
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "clip-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var recorder = new RecordingWeights(new RandomWeights(seed));
            using (XClipModel.FromWeightSource(config, recorder))
            {
                recorder.Writer.Save(System.IO.Path.Combine(folder, "model.safetensors"));
            }

            config.Save(System.IO.Path.Combine(folder, "config.json"));
            return new CheckpointFolder(folder);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>Reads the weights file once so that loads are timed from a warm page cache.</summary>
    public void WarmPageCache()
    {
        using FileStream stream = File.OpenRead(System.IO.Path.Combine(Path, "model.safetensors"));
        var buffer = new byte[1 << 20];
        while (stream.Read(buffer, 0, buffer.Length) > 0)
        {
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    /// <summary>Passes weights through and adds each to a safetensors writer under its state-dict name.</summary>
    private sealed class RecordingWeights(IWeightSource inner) : IWeightSource
    {
        public SafeTensorsWriter Writer { get; } = new();

        public Tensor Take(string name, WeightRole role, params int[] shape)
        {
            Tensor tensor = inner.Take(name, role, shape);
            Writer.Add(name, tensor);
            return tensor;
        }
    }
}
