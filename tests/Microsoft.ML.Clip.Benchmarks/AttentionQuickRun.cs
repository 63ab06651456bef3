using System.Diagnostics;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// The attention table of the <c>gemm</c> quick run (also alone: <c>… -- attention [--runs N] [--rounds R]</c>): GFLOP/s of
/// the attention core at the models' shapes on the two implementations — the two-GEMM reference path and the default
/// (AVX-512 kernels for 64-wide heads) — measured in interleaved rounds, so a shared machine's load hits both alike.
/// Each cell is the best of N calls; the ratio is the median over rounds of GEMM ÷ default time. On Linux the one-thread rows
/// also give the time the calling thread spent on a CPU (<c>CLOCK_THREAD_CPUTIME_ID</c>), which a loaded machine
/// inflates far less than the wall time.
/// </summary>
public static class AttentionQuickRun
{
    /// <summary>Prints the table, as its own command.</summary>
    public static void Run(string[] args)
    {
        Console.WriteLine($"Instruction set: {NumericsOptions.InstructionSet}; load average: {LoadAverage()}");
        PrintTable(Option(args, "--runs", 15), Option(args, "--rounds", 3));
        Console.WriteLine($"load average after: {LoadAverage()}");
    }

    /// <summary>Prints the attention table: per shape and thread count, GEMM path vs default path.</summary>
    public static void PrintTable(int runs, int rounds)
    {
        int cores = Environment.ProcessorCount;
        Console.WriteLine(
            $"{"attention (batch×tokens, heads×dim)",-40} {"threads",7} {"gemm GF/s",10} {"best GF/s",10} {"best ms",8} {"speed-up",9} {"cpu ratio",9}  per-round ratios");
        foreach (Case c in Cases)
        {
            var random = new Random(2);
            AttentionShape shape = c.Shape;
            float[] q = RandomValues(random, shape.Batch * shape.QueryLength * shape.Width);
            float[] k = RandomValues(random, shape.Batch * shape.KeyLength * shape.Width);
            float[] v = RandomValues(random, shape.Batch * shape.KeyLength * shape.Width);
            float[] mask = c.Padded ? PaddingMask(shape.Batch, shape.KeyLength) : [];
            float[] output = new float[q.Length];
            double flops = 4.0 * shape.Batch * shape.Heads * shape.QueryLength * shape.KeyLength * shape.HeadDim;
            foreach (int threads in cores > 1 ? new[] { 1, cores } : new[] { 1 })
            {
                void Call(AttentionPath path) =>
                    Attention.Forward(q, k, v, output, shape, 0.125f, mask, c.Causal, default, SimdLevelInfo.Best, threads, default, path);

                double gemm = double.MaxValue, best = double.MaxValue, gemmCpu = double.MaxValue, bestCpu = double.MaxValue;
                var ratios = new List<double>();
                for (int round = 0; round < rounds; round++)
                {
                    // Alternate which path goes first.
                    (double Wall, double Cpu) g, b;
                    if (round % 2 == 0)
                    {
                        g = Measure(() => Call(AttentionPath.Gemm), runs);
                        b = Measure(() => Call(AttentionPath.Best), runs);
                    }
                    else
                    {
                        b = Measure(() => Call(AttentionPath.Best), runs);
                        g = Measure(() => Call(AttentionPath.Gemm), runs);
                    }

                    ratios.Add(g.Wall / b.Wall);
                    gemm = Math.Min(gemm, g.Wall);
                    best = Math.Min(best, b.Wall);
                    gemmCpu = Math.Min(gemmCpu, g.Cpu);
                    bestCpu = Math.Min(bestCpu, b.Cpu);
                }

                ratios.Sort();
                string perRound = string.Join(" ", ratios.Select(r => r.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)));
                string cpu = threads == 1 && bestCpu > 0 && bestCpu < double.MaxValue ? $"{gemmCpu / bestCpu:F2}x" : "";
                Console.WriteLine(
                    $"{c.Name,-40} {threads,7} {flops / gemm / 1e9,10:F1} {flops / best / 1e9,10:F1} {best * 1e3,8:F3} {ratios[ratios.Count / 2],8:F2}x {cpu,9}  {perRound}");
                if (threads == 1 && bestCpu > 0 && bestCpu < double.MaxValue)
                {
                    Console.WriteLine($"{"  (on-CPU time of the calling thread)",-40} {threads,7} {flops / gemmCpu / 1e9,10:F1} {flops / bestCpu / 1e9,10:F1} {bestCpu * 1e3,8:F3}");
                }
            }
        }
    }

    private readonly record struct Case(string Name, AttentionShape Shape, bool Causal, bool Padded);

    private static readonly Case[] Cases =
    [
        new("xclip-b32 vision 8×50, 12×64", new AttentionShape(8, 50, 50, 12, 64), false, false),
        new("xclip-b32 vision+msg 8×51, 12×64", new AttentionShape(8, 51, 51, 12, 64), false, false),
        new("vit-l14 vision 1×257, 16×64", new AttentionShape(1, 257, 257, 16, 64), false, false),
        new("text 32×16 causal, 8×64", new AttentionShape(32, 16, 16, 8, 64), true, false),
        new("xlm-r text 32×16 padded, 16×64", new AttentionShape(32, 16, 16, 16, 64), false, true),
    ];

    /// <summary>Sequence b has <c>lk - (b mod 12)</c> real tokens (at least 1), the rest padding: texts of mixed lengths.</summary>
    private static float[] PaddingMask(int batch, int lk)
    {
        float[] mask = new float[batch * lk];
        for (int b = 0; b < batch; b++)
        {
            int length = Math.Max(1, lk - (b % 12));
            for (int j = 0; j < length; j++)
            {
                mask[(b * lk) + j] = 1f;
            }
        }

        return mask;
    }

    /// <summary>The best wall time of <paramref name="runs"/> calls, and the best on-CPU time of the calling thread (0 if unknown).</summary>
    private static (double Wall, double Cpu) Measure(Action action, int runs)
    {
        action();
        double best = double.MaxValue, bestCpu = double.MaxValue;
        for (int r = 0; r < runs; r++)
        {
            long cpuStart = ThreadCpuNanoseconds();
            long start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
            bestCpu = Math.Min(bestCpu, (ThreadCpuNanoseconds() - cpuStart) * 1e-9);
        }

        return (best, bestCpu);
    }

    /// <summary>Nanoseconds the calling thread has run on a CPU (<c>CLOCK_THREAD_CPUTIME_ID</c> on Linux), or 0 elsewhere.</summary>
    private static long ThreadCpuNanoseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        return ClockGetTime(3, out TimeSpec time) == 0 ? (time.Seconds * 1_000_000_000L) + time.Nanoseconds : 0;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

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
