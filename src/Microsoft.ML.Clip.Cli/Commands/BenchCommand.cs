using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Clip.Cli.Bench;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// <c>clip bench</c>: writes full-size X-CLIP/AltCLIP models with random weights (no download) to temporary safetensors
/// checkpoints, loads them memory-mapped as users do, and times the loads and the calls the PyTorch reference times,
/// printing a table or, with <c>--json</c>, one JSON object per benchmark.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="context">The run's streams and environment.</param>
    public static Command Create(CliContext context)
    {
        var filter = new Option<string?>("--filter", "-f")
        {
            Description = "Run only benchmarks whose name contains one of these comma-separated parts: "
                + string.Join(", ", BenchmarkCatalog.All.Select(b => b.Name)) + ".",
            HelpName = "NAME",
        };
        var runs = new Option<int>("--runs", "-n") { Description = "Timed runs per benchmark (after one warm-up run).", DefaultValueFactory = _ => 5, HelpName = "N" };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON object per line: {\"name\", \"median_s\", \"min_s\", \"max_s\", \"gflops\" (GFLOP/s), \"gflop\", "
                + "\"peak_working_set_mib\" (peak resident memory of the timed runs), \"warmup_peak_working_set_mib\" (of loading the model, "
                + "packing its weights and the first call; on Linux both are reset per benchmark), \"frames_per_s\" (video benchmarks: frames decoded "
                + "or embedded per second)}.",
        };
        var threads = new Option<int?>("--threads", "-t") { Description = "Threads per kernel call (default: all cores).", HelpName = "N" };
        Option<string> precisionOption = CommonOptions.Precision();
        precisionOption.Description += " With int8, each model benchmark also reports the smallest cosine between its int8 and float32 outputs "
            + "(\"cosine_vs_float32\" in --json; the float32 twin is loaded after the timed runs and left out of the peaks).";

        var command = new Command("bench", "Time loading and running the models (random weights, full size, memory-mapped safetensors) and the machine's FMA peak.")
        {
            filter, runs, json, threads, precisionOption,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            int count = parse.GetValue(runs);
            if (count < 1)
            {
                throw new UsageException($"--runs must be at least 1, not {count}.");
            }

            int? threadCount = parse.GetValue(threads);
            if (threadCount is < 1)
            {
                throw new UsageException($"--threads must be at least 1, not {threadCount}.");
            }

            ComputePrecision precision = CommonOptions.ParsePrecision(parse.GetValue(precisionOption));
            bool compare = precision != ComputePrecision.Float32;
            List<BenchmarkCase> selected = Select(parse.GetValue(filter));
            bool asJson = parse.GetValue(json);
            int previousThreads = NumericsOptions.MaxDegreeOfParallelism;
            NumericsOptions.MaxDegreeOfParallelism = threadCount ?? Environment.ProcessorCount;
            try
            {
                context.Error.WriteLine(
                    $"clip: bench on {Environment.ProcessorCount} core(s), {NumericsOptions.MaxDegreeOfParallelism} thread(s), {NumericsOptions.InstructionSet}, "
                    + $"{count} run(s) after 1 warm-up, {CommonOptions.PrecisionName(precision)} linear layers"
                    + (compare ? $" (int8 kernels: {NumericsOptions.Int8InstructionSet})" : string.Empty));
                if (!asJson)
                {
                    context.Out.WriteLine(
                        $"{"name",-24} {"median s",9} {"min s",9} {"max s",9} {"GFLOP",8} {"GFLOP/s",8} {"frames/s",9} {"peak WS",9} {"warm-up peak",12}"
                        + (compare ? $" {"cos f32",9}" : string.Empty));
                }

                using var models = new BenchmarkModels(precision);
                using BenchmarkModels? reference = compare ? new BenchmarkModels(models, ComputePrecision.Float32) : null;
                string? family = null;
                foreach (BenchmarkCase bench in selected)
                {
                    cancellationToken.ThrowIfCancellationRequested();

                    // Benchmarks of one model are consecutive: free the previous model before building the next.
                    string current = bench.Name.Split('.')[0];
                    if (family != current)
                    {
                        reference?.Dispose();
                        models.Dispose();
                        PeakMemory.Reset();
                    }

                    var result = Measure(bench, models, count, cancellationToken);
                    long peakWorkingSet = PeakMemory.Peak();
                    double? cosine = null;
                    if (reference is not null && bench.Outputs is not null)
                    {
                        cosine = RowCosine.Smallest(bench.Outputs(reference), bench.Outputs(models));
                        reference.Dispose(); // the float32 twin's memory must not count in the next benchmark's peaks
                        PeakMemory.Reset();
                    }

                    if (family != current && models.WeightBytes(current) is long weightBytes)
                    {
                        context.Error.WriteLine($"clip: {current}: {weightBytes >> 20} MiB of weights (temporary memory-mapped model.safetensors)");
                    }

                    family = current;
                    Report(context, bench, result, peakWorkingSet, cosine, compare, asJson);
                }
            }
            finally
            {
                NumericsOptions.MaxDegreeOfParallelism = previousThreads;
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static List<BenchmarkCase> Select(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return BenchmarkCatalog.All.ToList();
        }

        string[] parts = filter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        List<BenchmarkCase> selected = BenchmarkCatalog.All.Where(b => parts.Any(p => b.Name.Contains(p, StringComparison.OrdinalIgnoreCase))).ToList();
        return selected.Count > 0
            ? selected
            : throw new UsageException($"--filter '{filter}' matches no benchmark; the names are {string.Join(", ", BenchmarkCatalog.All.Select(b => b.Name))}.");
    }

    private static (double[] Seconds, double Flops, long WarmUpPeak) Measure(BenchmarkCase bench, BenchmarkModels models, int runs, CancellationToken cancellationToken)
    {
        var (run, flops) = bench.Prepare(models);
        run(); // warm-up: JIT tiering, weight packing, buffer pools

        // The peak so far includes loading the model from its memory-mapped checkpoint (not writing that checkpoint: the
        // peak is reset after it is written), packing its weights and the first call. The timed runs get their own.
        long warmUpPeak = PeakMemory.Peak();
        PeakMemory.Reset();
        var seconds = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            run();
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        Array.Sort(seconds);
        return (seconds, flops, warmUpPeak);
    }

    private static void Report(
        CliContext context, BenchmarkCase bench, (double[] Seconds, double Flops, long WarmUpPeak) result, long peakWorkingSet, double? cosine, bool compare, bool asJson)
    {
        double[] s = result.Seconds;
        double median = s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
        double gflop = result.Flops / 1e9;
        double rate = gflop / (bench.BestIsPeak ? s[0] : median);
        double? framesPerSecond = bench.Frames > 0 ? bench.Frames / median : null;
        if (asJson)
        {
            var fields = new Dictionary<string, object>
            {
                ["name"] = bench.Name,
                ["median_s"] = Math.Round(median, 6),
                ["min_s"] = Math.Round(s[0], 6),
                ["max_s"] = Math.Round(s[^1], 6),
                ["gflops"] = Math.Round(rate, 2),
                ["gflop"] = Math.Round(gflop, 3),
                ["peak_working_set_mib"] = peakWorkingSet >> 20,
                ["warmup_peak_working_set_mib"] = result.WarmUpPeak >> 20,
            };
            if (framesPerSecond is double fps)
            {
                fields["frames_per_s"] = Math.Round(fps, 2);
            }

            if (cosine is double c)
            {
                fields["cosine_vs_float32"] = Math.Round(c, 6);
            }

            context.Out.WriteLine(JsonSerializer.Serialize(fields));
            return;
        }

        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        context.Out.WriteLine($"{bench.Name,-24} {F(median, "F4"),9} {F(s[0], "F4"),9} {F(s[^1], "F4"),9} {F(gflop, "F1"),8} {F(rate, "F1"),8} {(framesPerSecond is double f ? F(f, "F1") : ""),9} {(peakWorkingSet >> 20) + " MiB",9} {(result.WarmUpPeak >> 20) + " MiB",12}"
            + (compare ? $" {(cosine is double cos ? F(cos, "F6") : ""),9}" : string.Empty));
    }
}
