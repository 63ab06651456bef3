using System.Diagnostics;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Microsoft.ML.Clip.Benchmarks -- gemm [--runs N]</c>: a quick Stopwatch table of
/// GEMM GFLOP/s at the models' shapes (through <see cref="Linear"/>, weights packed once), single-threaded and on all
/// cores, next to the measured single-core FMA peak. Best of N runs, since the machine may be shared.
/// </summary>
public static class GemmQuickRun
{
    /// <summary>Prints the table.</summary>
    public static void Run(string[] args)
    {
        int runs = 15;
        int at = Array.IndexOf(args, "--runs");
        if (at >= 0 && at + 1 < args.Length)
        {
            runs = int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture);
        }

        int cores = Environment.ProcessorCount;
        double peak = FmaPeak.MeasureGflops();
        Console.WriteLine($"Instruction set: {NumericsOptions.InstructionSet}; cores: {cores}; best of {runs} runs");
        Console.WriteLine($"FMA peak, one core: {peak:F1} GFLOP/s");
        Console.WriteLine();
        Console.WriteLine($"{"shape",-38} {"1 thread",10} {"% peak",7} {cores + " threads",10} {"speed-up",9} {"alloc B/call",13}");
        foreach ((string name, int m, int k, int n) in GemmShapes.All)
        {
            var random = new Random(1);
            var weight = new Tensor(RandomValues(random, n * k), n, k);
            var linear = new Linear(weight, new Tensor(RandomValues(random, n), n));
            float[] input = RandomValues(random, m * k);
            float[] output = new float[m * n];
            double flops = 2.0 * m * k * n;
            double single = Measure(() => linear.Forward(input, output, m), 1, runs);
            double all = Measure(() => linear.Forward(input, output, m), cores, runs);
            NumericsOptions.MaxDegreeOfParallelism = cores;
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 5; i++)
            {
                linear.Forward(input, output, m);
            }

            long allocated = (GC.GetTotalAllocatedBytes(precise: true) - before) / 5;
            double g1 = flops / single / 1e9, gAll = flops / all / 1e9;
            Console.WriteLine($"{name,-38} {g1,10:F1} {100 * g1 / peak,6:F0}% {gAll,10:F1} {single / all,8:F2}x {allocated,13}");
        }

        Console.WriteLine();
        Console.WriteLine($"{"fused epilogue, 1 thread",-38} {"ms",10} {"overhead",9}");
        {
            (string name, int m, int k, int n) = GemmShapes.All[0];
            var random = new Random(3);
            var linear = new Linear(new Tensor(RandomValues(random, n * k), n, k), new Tensor(RandomValues(random, n), n));
            float[] input = RandomValues(random, m * k);
            float[] output = new float[m * n];
            double plain = Measure(() => linear.Forward(input, output, m), 1, runs);
            foreach (Activation activation in new[] { Activation.None, Activation.QuickGelu, Activation.Gelu, Activation.Tanh })
            {
                double time = Measure(() => linear.Forward(input, output, m, activation), 1, runs);
                Console.WriteLine($"{name[..10] + " + " + activation,-38} {time * 1e3,10:F2} {100 * ((time / plain) - 1),8:F1}%");
            }
        }

        Console.WriteLine();
        AttentionQuickRun.PrintTable(runs, 3);
        Console.WriteLine();
        LayerBreakdown.Run(8, 50, runs);
        NumericsOptions.MaxDegreeOfParallelism = cores;
    }

    private static double Measure(Action action, int threads, int runs)
    {
        NumericsOptions.MaxDegreeOfParallelism = threads;
        action();
        action();
        double best = double.MaxValue;
        for (int r = 0; r < runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return best;
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
