using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>
/// The models and inputs the benchmarks share. Each model family is written once, with random weights, to a temporary
/// <c>model.safetensors</c> and loaded from it memory-mapped, as users load checkpoints; models are built on first use
/// (a full-size model takes seconds and gigabytes, so benchmarks of one model reuse it). Speed does not depend on the
/// weight values.
/// </summary>
internal sealed class BenchmarkModels : IDisposable
{
    /// <summary>
    /// The released BAAI/AltCLIP vision tower (ViT-L/14, 224²). Its text tower is shrunk to one small layer: only
    /// image features are timed, and a full XLM-R large would cost 2 GB for nothing.
    /// </summary>
    private static readonly AltClipConfig VitL14Config = new()
    {
        VisionConfig = new AltClipVisionConfig { HiddenSize = 1024, IntermediateSize = 4096, NumHiddenLayers = 24, NumAttentionHeads = 16, PatchSize = 14, ImageSize = 224 },
        TextConfig = new AltClipTextConfig { VocabSize = 1000, HiddenSize = 64, IntermediateSize = 64, NumHiddenLayers = 1, NumAttentionHeads = 1, ProjectDim = 768 },
        ProjectionDim = 768,
    };

    /// <summary>How each family's temporary checkpoint is written, by the family name that starts its benchmarks' names.</summary>
    /// <remarks>The argument is the folder to keep the checkpoint in, or null for a temporary one.</remarks>
    private static readonly Dictionary<string, Func<string?, CheckpointFolder>> Writers = new(StringComparer.Ordinal)
    {
        ["xclip"] = folder => Checkpoint(folder, new XClipConfig(), XClipModel.FromWeightSource, seed: 1),
        ["altclip"] = folder => Checkpoint(folder, new AltClipConfig(), AltClipModel.FromWeightSource, seed: 2),
        ["altclip-vitl14"] = folder => Checkpoint(folder, VitL14Config, AltClipModel.FromWeightSource, seed: 3),
    };

    private readonly string? _checkpointRoot;
    private readonly ModelOptions _options;

    private readonly Dictionary<string, IDisposable> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CheckpointFolder> _checkpoints;
    private readonly bool _ownsCheckpoints = true;
    private BenchmarkVideo? _video;

    /// <summary>Models whose checkpoints are temporary (deleted on dispose).</summary>
    /// <param name="precision">The precision the models are loaded in (the checkpoints are float32 either way).</param>
    public BenchmarkModels(ComputePrecision precision = ComputePrecision.Float32)
    {
        _options = new ModelOptions { Precision = precision };
        _checkpoints = new(StringComparer.Ordinal);
    }

    /// <summary>Models whose checkpoints are kept in <c><paramref name="checkpointRoot"/>/family</c> (written once, reused after).</summary>
    /// <param name="checkpointRoot">The folder of the kept checkpoints.</param>
    /// <param name="precision">The precision the models are loaded in (the checkpoints are float32 either way).</param>
    public BenchmarkModels(string checkpointRoot, ComputePrecision precision = ComputePrecision.Float32)
        : this(precision) => _checkpointRoot = checkpointRoot;

    /// <summary>
    /// Models loaded in <paramref name="precision"/> from the checkpoints of <paramref name="checkpoints"/> (written by it,
    /// deleted by it; this instance's <see cref="Dispose"/> releases only its own models). <c>clip bench --precision int8</c>
    /// compares its outputs with a float32 twin this way, without writing the checkpoints twice.
    /// </summary>
    /// <param name="checkpoints">The instance that owns the checkpoints.</param>
    /// <param name="precision">The precision the models are loaded in.</param>
    public BenchmarkModels(BenchmarkModels checkpoints, ComputePrecision precision)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        _options = new ModelOptions { Precision = precision };
        _checkpointRoot = checkpoints._checkpointRoot;
        _checkpoints = checkpoints._checkpoints;
        _ownsCheckpoints = false;
    }

    /// <summary>The precision the models are loaded in.</summary>
    public ComputePrecision Precision => _options.Precision;

    /// <summary>The default <c>XCLIPConfig</c> (= microsoft/xclip-base-patch32 shape).</summary>
    public XClipModel XClip => Model("xclip", path => XClipModel.FromPretrained(path, null, _options));

    /// <summary>The default <c>AltCLIPConfig</c> (XLM-R-large-like text, ViT-B/32 vision).</summary>
    public AltClipModel AltClip => Model("altclip", path => AltClipModel.FromPretrained(path, null, _options));

    /// <summary>The released BAAI/AltCLIP vision tower (ViT-L/14, 224²) with a one-layer text tower.</summary>
    public AltClipModel AltClipVitL14 => Model("altclip-vitl14", path => AltClipModel.FromPretrained(path, null, _options));

    /// <summary>The 10 s 1080p H.264 video of the pre-processing benchmarks, encoded by ffmpeg on first use.</summary>
    public BenchmarkVideo Video => _video ??= BenchmarkVideo.Create(FfmpegTools.Default);

    /// <summary>The model families that have a checkpoint (the first part of their benchmarks' names).</summary>
    public static IReadOnlyCollection<string> Families => Writers.Keys;

    /// <summary>
    /// The temporary checkpoint of <paramref name="family"/>, written on first use; the peak memory is then reset, so
    /// that what follows is measured without the writing.
    /// </summary>
    /// <param name="family">A name from <see cref="Families"/>.</param>
    public CheckpointFolder Checkpoint(string family)
    {
        if (!_checkpoints.TryGetValue(family, out CheckpointFolder? folder))
        {
            folder = Writers[family](_checkpointRoot is null ? null : System.IO.Path.Combine(_checkpointRoot, family));
            _checkpoints[family] = folder;
            PeakMemory.Reset();
        }

        return folder;
    }

    /// <summary>The size of <paramref name="family"/>'s weights file, or null when it has not been written.</summary>
    /// <param name="family">A name from <see cref="Families"/>.</param>
    public long? WeightBytes(string family) => _checkpoints.TryGetValue(family, out CheckpointFolder? folder) ? folder.WeightBytes : null;

    /// <summary>Random pixel values of the given shape (deterministic).</summary>
    /// <param name="shape">The shape.</param>
    public static Tensor Pixels(params int[] shape)
    {
        var tensor = new Tensor(shape);
        var random = new Random(7);
        Span<float> span = tensor.Span;
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (float)((random.NextDouble() * 4) - 2);
        }

        return tensor;
    }

    /// <summary><paramref name="texts"/> texts of <paramref name="length"/> random ids below <paramref name="vocabulary"/>, the last one the largest (CLIP pools at the highest id), mask all ones.</summary>
    /// <param name="texts">Texts.</param>
    /// <param name="length">Tokens per text.</param>
    /// <param name="vocabulary">The vocabulary size.</param>
    public static TokenBatch Tokens(int texts, int length, int vocabulary)
    {
        var random = new Random(11);
        var ids = new long[texts * length];
        for (int t = 0; t < texts; t++)
        {
            for (int i = 0; i < length; i++)
            {
                ids[(t * length) + i] = i == length - 1 ? vocabulary - 1 : random.Next(3, vocabulary - 2);
            }
        }

        return new TokenBatch(ids, null, texts, length);
    }

    /// <summary>Disposes the models built so far and deletes their checkpoints (the cache stays usable: both are rebuilt on next use).</summary>
    public void Dispose()
    {
        foreach (IDisposable model in _models.Values)
        {
            model.Dispose();
        }

        _models.Clear();

        if (!_ownsCheckpoints)
        {
            return;
        }

        // A disposed model's mapping lives until its tensors are garbage (see MappedFile); unmap before deleting the file.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        foreach (CheckpointFolder folder in _checkpoints.Values)
        {
            folder.Dispose();
        }

        _checkpoints.Clear();
        _video?.Dispose();
        _video = null;
    }

    private static CheckpointFolder Checkpoint<TConfig>(string? folder, TConfig config, Func<TConfig, IWeightSource, IDisposable> build, int seed)
        where TConfig : PretrainedConfig =>
        folder is null ? CheckpointFolder.Write(config, build, seed) : CheckpointFolder.WriteOrReuse(folder, config, build, seed);

    private T Model<T>(string family, Func<string, T> load)
        where T : IDisposable
    {
        if (!_models.TryGetValue(family, out IDisposable? model))
        {
            model = load(Checkpoint(family).Path);
            _models[family] = model;
        }

        return (T)model;
    }
}
