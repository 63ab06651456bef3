using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// <c>… -- gemm-small [--runs N] [--threads T] [MxKxN …]</c>: the few-row products of the models (a ViT-B/32 image is 50
/// rows; X-CLIP's text batch 512, its video 400) through <see cref="Linear"/>, each with its weight in cache ("hot": one
/// layer called over and over) and from DRAM ("cold": ≥ 600 MB of distinct layers called in turn, as a forward pass
/// streams its weights once per call). Prints GFLOP/s of wall time (median and best of N runs) and per CPU-second of the
/// process (all threads), which other processes' load inflates less than wall time.
/// </summary>
public static class GemmSmallRun
{
    private static readonly (int M, int K, int N)[] DefaultShapes =
    [
        (50, 768, 768), (50, 768, 3072), (50, 3072, 768), (200, 768, 3072), (400, 768, 3072), (512, 512, 2048),
    ];

    /// <summary>Prints the table.</summary>
    public static void Run(string[] args)
    {
        int runs = Option(args, "--runs", 7);
        int threads = Option(args, "--threads", Environment.ProcessorCount);
        (int M, int K, int N)[] shapes = args.Skip(1).Where(a => a.Contains('x', StringComparison.Ordinal) && !a.StartsWith("--", StringComparison.Ordinal))
            .Select(a => a.Split('x').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .Select(v => (v[0], v[1], v[2])).ToArray();
        if (shapes.Length == 0)
        {
            shapes = DefaultShapes;
        }

        NumericsOptions.MaxDegreeOfParallelism = threads;
        Console.WriteLine($"{NumericsOptions.InstructionSet}, {threads} thread(s), median and best of {runs} runs");
        Console.WriteLine($"{"shape",-16} {"weights",-5} {"median",8} {"best",8} {"per CPU-s",10} (GFLOP/s)");
        foreach ((int m, int k, int n) in shapes)
        {
            foreach (bool cold in new[] { false, true })
            {
                int layers = cold ? (int)Math.Max(2, (600L << 20) / (4L * k * n)) : 1;
                var random = new Random(1);
                var linears = new Linear[layers];
                for (int l = 0; l < layers; l++)
                {
                    linears[l] = new Linear(new Tensor(Random(random, n * k), n, k), new Tensor(Random(random, n), n));
                    linears[l].PackWeights();
                }

                float[] x = Random(random, m * k);
                float[] y = new float[m * n];
                double flops = 2.0 * m * k * n;
                int calls = Math.Max(1, (int)(2e9 / flops / layers)) * layers; // ≈ 2 GFLOP a run, whole cycles of layers
                foreach (Linear linear in linears)
                {
                    linear.Forward(x, y, m);
                }

                var times = new double[runs];
                using var process = Process.GetCurrentProcess();
                TimeSpan cpu = process.TotalProcessorTime;
                for (int r = 0; r < runs; r++)
                {
                    long start = Stopwatch.GetTimestamp();
                    for (int c = 0; c < calls; c++)
                    {
                        linears[c % layers].Forward(x, y, m);
                    }

                    times[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
                }

                process.Refresh();
                double cpuPerCall = (process.TotalProcessorTime - cpu).TotalSeconds / ((double)runs * calls);
                Array.Sort(times);
                Console.WriteLine(
                    $"{$"{m}x{k}x{n}",-16} {(cold ? "cold" : "hot"),-5} {flops / times[runs / 2] / 1e9,8:F1} {flops / times[0] / 1e9,8:F1} {flops / cpuPerCall / 1e9,10:F1}");
            }
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static float[] Random(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() - 0.5);
        }

        return values;
    }
}
