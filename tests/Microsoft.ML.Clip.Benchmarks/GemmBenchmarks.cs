using BenchmarkDotNet.Attributes;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// GEMM at the models' shapes through <see cref="Linear"/> (weights packed once, bias fused), on one thread and on all
/// cores. GFLOP/s = 2·m·k·n / time. Run: <c>dotnet run -c Release --project tests/Microsoft.ML.Clip.Benchmarks -- --filter '*Gemm*'</c>.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private Linear _linear = null!;
    private float[] _input = [];
    private float[] _output = [];
    private int _rows;

    /// <summary>The shape, by name (see <see cref="GemmShapes"/>).</summary>
    [ParamsSource(nameof(ShapeNames))]
    public string Shape { get; set; } = "";

    /// <summary>Threads: 1 or all cores.</summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    /// <summary>The shape names.</summary>
    public static IEnumerable<string> ShapeNames => GemmShapes.All.Select(s => s.Name);

    /// <summary>1 and <see cref="Environment.ProcessorCount"/>.</summary>
    public static IEnumerable<int> ThreadCounts => new[] { 1, Environment.ProcessorCount }.Distinct();

    /// <summary>Builds the layer and packs its weight.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (_, int m, int k, int n) = GemmShapes.All.Single(s => s.Name == Shape);
        var random = new Random(1);
        float[] Values(int count) => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        _linear = new Linear(new Tensor(Values(n * k), n, k), new Tensor(Values(n), n));
        _input = Values(m * k);
        _output = new float[m * n];
        _rows = m;
        NumericsOptions.MaxDegreeOfParallelism = Threads;
        _linear.Forward(_input, _output, _rows);
    }

    /// <summary><c>y = x·Wᵀ + b</c>.</summary>
    [Benchmark]
    public void Linear() => _linear.Forward(_input, _output, _rows);
}

/// <summary>The single-core FMA peak (register-only loop); GFLOP/s = <see cref="FmaPeak.Flops"/> / time.</summary>
public class FmaPeakBenchmark
{
    /// <summary>Iterations per invocation.</summary>
    public const long Iterations = 10_000_000;

    /// <summary>The loop.</summary>
    [Benchmark]
    public float Peak() => FmaPeak.Run(Iterations);
}
