using BenchmarkDotNet.Attributes;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>Multi-head attention at the models' shapes, on all cores: <c>-- --filter '*AttentionBenchmarks*'</c>.</summary>
[MemoryDiagnoser]
public class AttentionBenchmarks
{
    private float[] _q = [], _k = [], _v = [], _output = [], _mask = [];
    private AttentionShape _shape;

    /// <summary>
    /// X-CLIP B/32 frames (8×50 tokens, 12 heads), ViT-L/14 (257 tokens, 16 heads), causal CLIP text (32×16, 8 heads), or
    /// XLM-R text with padding (32×16, 16 heads, sequence b has 16 − (b mod 12) real tokens).
    /// </summary>
    [Params("xclip-vision", "vitl14-vision", "text-causal", "xlmr-text-padded")]
    public string Case { get; set; } = "";

    /// <summary>Builds random inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _shape = Case switch
        {
            "xclip-vision" => new AttentionShape(8, 50, 50, 12, 64),
            "vitl14-vision" => new AttentionShape(1, 257, 257, 16, 64),
            "xlmr-text-padded" => new AttentionShape(32, 16, 16, 16, 64),
            _ => new AttentionShape(32, 16, 16, 8, 64),
        };
        var random = new Random(4);
        int length = _shape.Batch * _shape.QueryLength * _shape.Width;
        float[] Values() => Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        (_q, _k, _v, _output) = (Values(), Values(), Values(), new float[length]);
        _mask = Case == "xlmr-text-padded"
            ? Enumerable.Range(0, _shape.Batch * _shape.KeyLength).Select(i => i % _shape.KeyLength < _shape.KeyLength - (i / _shape.KeyLength % 12) ? 1f : 0f).ToArray()
            : [];
        NumericsOptions.MaxDegreeOfParallelism = Environment.ProcessorCount;
    }

    /// <summary><c>softmax(Q·Kᵀ/8)·V</c> per head.</summary>
    [Benchmark]
    public void Forward() => Attention.Forward(_q, _k, _v, _output, _shape, 0.125f, _mask, causal: Case == "text-causal");
}
