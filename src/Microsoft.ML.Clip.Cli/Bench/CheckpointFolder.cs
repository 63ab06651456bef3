using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>
/// A temporary checkpoint folder (<c>config.json</c> + <c>model.safetensors</c>) holding a random-weight model, which
/// the benchmarks load the way users do (memory-mapped safetensors). Deleted on dispose, unless it was written to a
/// folder the caller named (<see cref="WriteOrReuse"/>: the ONNX Runtime side-by-side exports these same weights).
/// </summary>
internal sealed class CheckpointFolder : IDisposable
{
    private readonly bool _temporary;

    private CheckpointFolder(string path, bool temporary)
    {
        Path = path;
        _temporary = temporary;
    }

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
            Save(folder, config, build, seed);
            return new CheckpointFolder(folder, temporary: true);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// The checkpoint of <see cref="Write"/> (same weights for the same <paramref name="seed"/>) kept in
    /// <paramref name="folder"/>: written when the folder has no <c>model.safetensors</c> and <c>config.json</c> yet, reused
    /// otherwise, and never deleted.
    /// </summary>
    /// <typeparam name="TConfig">The model's configuration type.</typeparam>
    /// <param name="folder">The folder to keep the checkpoint in.</param>
    /// <param name="config">The configuration, saved as <c>config.json</c>.</param>
    /// <param name="build">Builds the model from a config and a weight source.</param>
    /// <param name="seed">The random seed.</param>
    public static CheckpointFolder WriteOrReuse<TConfig>(string folder, TConfig config, Func<TConfig, IWeightSource, IDisposable> build, int seed)
        where TConfig : PretrainedConfig
    {
        if (!File.Exists(System.IO.Path.Combine(folder, "model.safetensors")) || !File.Exists(System.IO.Path.Combine(folder, "config.json")))
        {
            Directory.CreateDirectory(folder);
            Save(folder, config, build, seed);
        }

        return new CheckpointFolder(System.IO.Path.GetFullPath(folder), temporary: false);
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
        if (_temporary && Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    private static void Save<TConfig>(string folder, TConfig config, Func<TConfig, IWeightSource, IDisposable> build, int seed)
        where TConfig : PretrainedConfig
    {
        var recorder = new RecordingWeights(new RandomWeights(seed));
        using (build(config, recorder))
        {
            recorder.Writer.Save(System.IO.Path.Combine(folder, "model.safetensors"));
        }

        // config.json last: its presence says the weights beside it are complete (the weights file is written atomically).
        config.Save(System.IO.Path.Combine(folder, "config.json"));
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
