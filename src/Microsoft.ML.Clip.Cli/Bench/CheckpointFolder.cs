using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>
/// A temporary checkpoint folder (<c>config.json</c> + <c>model.safetensors</c>) holding a random-weight model, which
/// the benchmarks load the way users do (memory-mapped safetensors). Deleted on dispose.
/// </summary>
internal sealed class CheckpointFolder : IDisposable
{
    private CheckpointFolder(string path) => Path = path;

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>The size of <c>model.safetensors</c> in bytes (the model's float32 weights plus a small header).</summary>
    public long WeightBytes => new FileInfo(WeightsPath).Length;

    private string WeightsPath => System.IO.Path.Combine(Path, "model.safetensors");

    /// <summary>
    /// Writes a random checkpoint of <paramref name="config"/>: the weights <paramref name="build"/> takes from a
    /// <see cref="RandomWeights"/> of <paramref name="seed"/> (what <c>CreateRandom</c> would use), under their state-dict names.
    /// </summary>
    /// <typeparam name="TConfig">The model's configuration type.</typeparam>
    /// <param name="config">The configuration, saved as <c>config.json</c>.</param>
    /// <param name="build">Builds the model from a config and a weight source (e.g. <c>XClipModel.FromWeightSource</c>).</param>
    /// <param name="seed">The random seed.</param>
    public static CheckpointFolder Write<TConfig>(TConfig config, Func<TConfig, IWeightSource, IDisposable> build, int seed)
        where TConfig : PretrainedConfig
    {
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "clip-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var recorder = new RecordingWeights(new RandomWeights(seed));
            using (build(config, recorder))
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
        using FileStream stream = File.OpenRead(WeightsPath);
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
