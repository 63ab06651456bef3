using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>
/// The random-weight models and inputs the benchmarks share (built on first use: building a full-size model takes
/// seconds and gigabytes, so benchmarks of one model reuse it). Speed does not depend on the weight values.
/// </summary>
internal sealed class BenchmarkModels : IDisposable
{
    private readonly Dictionary<string, IDisposable> _models = new(StringComparer.Ordinal);

    /// <summary>The default <c>XCLIPConfig</c> (= microsoft/xclip-base-patch32 shape).</summary>
    public XClipModel XClip => Get("xclip", () => XClipModel.CreateRandom(new XClipConfig(), seed: 1));

    /// <summary>A temporary checkpoint folder with a random X-CLIP base (written on first use, deleted on dispose).</summary>
    public CheckpointFolder XClipCheckpoint => Get("xclip-checkpoint", () => CheckpointFolder.WriteXClip(new XClipConfig(), seed: 1));

    /// <summary>The default <c>AltCLIPConfig</c> (XLM-R-large-like text, ViT-B/32 vision).</summary>
    public AltClipModel AltClip => Get("altclip", () => AltClipModel.CreateRandom(new AltClipConfig(), seed: 2));

    /// <summary>
    /// The released BAAI/AltCLIP vision tower (ViT-L/14, 224²). Its text tower is shrunk to one small layer: only
    /// image features are timed, and a full XLM-R large would cost 2 GB for nothing.
    /// </summary>
    public AltClipModel AltClipVitL14 => Get("altclip-vitl14", () => AltClipModel.CreateRandom(
        new AltClipConfig
        {
            VisionConfig = new AltClipVisionConfig { HiddenSize = 1024, IntermediateSize = 4096, NumHiddenLayers = 24, NumAttentionHeads = 16, PatchSize = 14, ImageSize = 224 },
            TextConfig = new AltClipTextConfig { VocabSize = 1000, HiddenSize = 64, IntermediateSize = 64, NumHiddenLayers = 1, NumAttentionHeads = 1, ProjectDim = 768 },
            ProjectionDim = 768,
        },
        seed: 3));

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

    /// <summary>Disposes the models built so far (the cache stays usable: models are rebuilt on next use).</summary>
    public void Dispose()
    {
        foreach (IDisposable model in _models.Values)
        {
            model.Dispose();
        }

        _models.Clear();
    }

    private T Get<T>(string key, Func<T> create)
        where T : IDisposable
    {
        if (!_models.TryGetValue(key, out IDisposable? model))
        {
            model = create();
            _models[key] = model;
        }

        return (T)model;
    }
}
