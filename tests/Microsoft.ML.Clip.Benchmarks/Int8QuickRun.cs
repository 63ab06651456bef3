using static Microsoft.ML.Clip.Benchmarks.Timing;
using System.Diagnostics;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Microsoft.ML.Clip.Benchmarks -- int8 [--rounds N]</c>: float32 against every
/// supported int8 kernel path at the models' GEMM shapes (through <see cref="Linear"/>, weights packed once), in
/// interleaved rounds so a shared machine's load hits every variant alike. Prints the median per-round time of each, its
/// GFLOP/s equivalent (2·m·k·n per call) and the median per-round ratio float32 / int8.
/// </summary>
public static class Int8QuickRun
{
    /// <summary>Prints the table.</summary>
    public static void Run(string[] args)
    {
        int rounds = 9;
        int at = Array.IndexOf(args, "--rounds");
        if (at >= 0 && at + 1 < args.Length)
        {
            rounds = int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture);
        }

        int cores = Environment.ProcessorCount;
        Int8Level[] levels = Enum.GetValues<Int8Level>().Where(l => l != Int8Level.Scalar && Int8LevelInfo.IsSupported(l)).ToArray();
        Console.WriteLine($"float32 path {NumericsOptions.InstructionSet}; int8 paths {string.Join(", ", levels)}; {rounds} interleaved rounds; load {File.ReadAllText("/proc/loadavg").Trim()}");
        foreach (int threads in new[] { 1, cores })
        {
            NumericsOptions.MaxDegreeOfParallelism = threads;
            Console.WriteLine();
            Console.WriteLine($"{threads} thread(s)");
            Console.WriteLine($"{"shape",-38} {"variant",-10} {"ms",8} {"GFLOP/s",8} {"f32/int8",9}");
            foreach ((string name, int m, int k, int n) in GemmShapes.All.Append(("xclip-b32 attn [400,768]x[768,768]", 400, 768, 768)))
            {
                var random = new Random(1);
                var weight = new Tensor(RandomValues(random, n * k), n, k);
                var bias = new Tensor(RandomValues(random, n), n);
                var float32 = new Linear(weight, bias);
                var int8 = new Linear(new Tensor(weight.ToArray(), n, k), bias, ComputePrecision.Int8);
                float[] input = RandomValues(random, m * k);
                float[] output = new float[m * n];
                var variants = new List<(string Name, Action Run)> { ("float32", () => float32.Forward(input, output, m)) };
                variants.AddRange(levels.Select(level => ($"int8 {level}", (Action)(() => int8.ForwardInt8(input, output, m, Activation.None, level, threads)))));
                double[][] times = variants.Select(_ => new double[rounds]).ToArray();
                foreach ((_, Action run) in variants)
                {
                    run();
                    run();
                }

                for (int r = 0; r < rounds; r++)
                {
                    for (int v = 0; v < variants.Count; v++)
                    {
                        // Repeat small calls so one sample lasts ≥ ~20 ms.
                        int repeats = Math.Max(1, (int)(2e8 / (2.0 * m * k * n)));
                        long start = Stopwatch.GetTimestamp();
                        for (int i = 0; i < repeats; i++)
                        {
                            variants[v].Run();
                        }

                        times[v][r] = Stopwatch.GetElapsedTime(start).TotalSeconds / repeats;
                    }
                }

                double flops = 2.0 * m * k * n;
                for (int v = 0; v < variants.Count; v++)
                {
                    double median = Median(times[v]);
                    string ratio = v == 0 ? string.Empty : $"{Median(times[0].Zip(times[v], (f, q) => f / q).ToArray()),8:F2}x";
                    Console.WriteLine($"{(v == 0 ? name : string.Empty),-38} {variants[v].Name,-10} {median * 1e3,8:F2} {flops / median / 1e9,8:F1} {ratio,9}");
                }
            }
        }

        NumericsOptions.MaxDegreeOfParallelism = cores;
        Console.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static float[] RandomValues(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
