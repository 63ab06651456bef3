using static Microsoft.ML.Clip.Benchmarks.Timing;
using System.Diagnostics;
using Microsoft.ML.Clip.Cli.Bench;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Microsoft.ML.Clip.Benchmarks -- int8-models [--rounds N] [--filter part,…]</c>:
/// the model benchmarks of <c>clip bench</c> (full size, random weights, loaded memory-mapped from one checkpoint per
/// family) in float32 and in int8, run in interleaved rounds — float32, int8, float32, int8, … — so the load of a shared
/// machine hits both alike. Prints each side's median seconds and GFLOP/s (float32-equivalent FLOPs), the median of the
/// per-round ratios float32/int8, the smallest output cosine int8 vs float32, and the resident memory after packing.
/// </summary>
public static class Int8ModelRun
{
    /// <summary>Prints the table.</summary>
    public static void Run(string[] args)
    {
        int rounds = 5;
        int at = Array.IndexOf(args, "--rounds");
        if (at >= 0 && at + 1 < args.Length)
        {
            rounds = int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture);
        }

        at = Array.IndexOf(args, "--filter");
        string[] parts = at >= 0 && at + 1 < args.Length ? args[at + 1].Split(',') : [];
        Console.WriteLine($"{rounds} interleaved rounds, {NumericsOptions.MaxDegreeOfParallelism} threads; load {Load()}");
        Console.WriteLine($"{"benchmark",-26} {"f32 s",8} {"int8 s",8} {"f32 GF/s",9} {"int8 GF/s",9} {"f32/int8",9} {"rounds (f32/int8)",-40} {"cosine",9}");
        using var float32 = new BenchmarkModels(ComputePrecision.Float32);
        string? family = null;
        BenchmarkModels? int8 = null;
        try
        {
            foreach (BenchmarkCase bench in BenchmarkCatalog.All.Where(b => b.Outputs is not null && (parts.Length == 0 || parts.Any(p => b.Name.Contains(p, StringComparison.Ordinal)))))
            {
                string current = bench.Name.Split('.')[0];
                if (current != family)
                {
                    int8?.Dispose();
                    float32.Dispose();
                    int8 = new BenchmarkModels(float32, ComputePrecision.Int8);
                    family = current;
                }

                var (runFloat, flops) = bench.Prepare(float32);
                var (runInt8, _) = bench.Prepare(int8!);
                runFloat();
                runInt8();
                var f = new double[rounds];
                var q = new double[rounds];
                for (int r = 0; r < rounds; r++)
                {
                    f[r] = Time(runFloat);
                    q[r] = Time(runInt8);
                }

                double[] ratios = f.Zip(q, (a, b) => a / b).ToArray();
                double cosine = RowCosine.Smallest(bench.Outputs!(float32), bench.Outputs!(int8!));
                double mf = Median(f), mq = Median(q);
                Console.WriteLine(
                    $"{bench.Name,-26} {mf,8:F3} {mq,8:F3} {flops / mf / 1e9,9:F1} {flops / mq / 1e9,9:F1} {Median(ratios),8:F2}x "
                    + $"{string.Join(" ", ratios.Select(x => x.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))),-40} {cosine,9:F6}");
            }
        }
        finally
        {
            int8?.Dispose();
        }

        Console.WriteLine($"load after: {Load()}");
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

}
