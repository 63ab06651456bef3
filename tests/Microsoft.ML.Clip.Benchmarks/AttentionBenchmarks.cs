using BenchmarkDotNet.Attributes;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>Multi-head attention at the models' shapes, on all cores: <c>-- --filter '*AttentionBenchmarks*'</c>.</summary>
[MemoryDiagnoser]
public class AttentionBenchmarks
{
    private float[] _q = [], _k = [], _v = [], _output = [];
    private AttentionShape _shape;

    /// <summary>X-CLIP B/32 frames (8×50 tokens, 12 heads), ViT-L/14 (257 tokens, 16 heads), or causal text (32×16, 8 heads).</summary>
    [Params("xclip-vision", "vitl14-vision", "text-causal")]
    public string Case { get; set; } = "";

    /// <summary>Builds random inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _shape = Case switch
        {
            "xclip-vision" => new AttentionShape(8, 50, 50, 12, 64),
            "vitl14-vision" => new AttentionShape(1, 257, 257, 16, 64),
            _ => new AttentionShape(32, 16, 16, 8, 64),
        };
        var random = new Random(4);
        int length = _shape.Batch * _shape.QueryLength * _shape.Width;
        float[] Values() => Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        (_q, _k, _v, _output) = (Values(), Values(), Values(), new float[length]);
        NumericsOptions.MaxDegreeOfParallelism = Environment.ProcessorCount;
    }

    /// <summary><c>softmax(Q·Kᵀ/8)·V</c> per head.</summary>
    [Benchmark]
    public void Forward() => Attention.Forward(_q, _k, _v, _output, _shape, 0.125f, default, causal: Case == "text-causal");
}
