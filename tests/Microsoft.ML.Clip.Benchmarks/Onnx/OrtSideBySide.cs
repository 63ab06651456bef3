using static Microsoft.ML.Clip.Benchmarks.Timing;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Bench;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Clip.Benchmarks.Onnx;

/// <summary>
/// Our models against ONNX Runtime on the same CPU, same weights, same inputs (tests/perf/README.md; never in CI):
/// <list type="bullet">
/// <item><c>ort checkpoints DIR</c>: writes <c>clip bench</c>'s random checkpoints (same seeds, so the same weights) to
/// <c>DIR/xclip</c>, <c>DIR/altclip</c>, <c>DIR/altclip-vitl14</c>, for <c>tests/perf/export_onnx.py</c> to export.</item>
/// <item><c>ort compare DIR [--filter A,B] [--rounds R] [--runs N] [--threads T] [--json FILE]</c>: per benchmark, checks
/// ORT on the exported graph against PyTorch eager (<c>check.safetensors</c>) and against us (max |Δ|), then times both
/// sides in alternating rounds (ours first in odd rounds, ORT first in even ones), prints ours / ORT per round, the
/// medians, GFLOP/s, % of the FMA peak, and each side's peak resident memory measured in a process of its own.</item>
/// <item><c>ort compare DIR --precision int8 …</c>: our int8 mode against ORT on <c>DIR/onnx-int8/NAME/model.onnx</c> (the
/// graphs ORT's dynamic int8 quantization makes of the float ones) and against ORT float32 (<see cref="OrtInt8Comparison"/>).</item>
/// <item><c>ort peak DIR NAME ours|ort [--runs N] [--threads T] [--precision float32|int8]</c>: that child process (prints the
/// peak in MiB).</item>
/// </list>
/// </summary>
internal static class OrtSideBySide
{
    public static int Run(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: ort checkpoints DIR | ort compare DIR [--filter A,B] [--rounds R] [--runs N] [--threads T] [--json FILE] [--precision float32|int8] | ort peak DIR NAME ours|ort [--precision float32|int8]");
            return 2;
        }

        string root = Path.GetFullPath(args[2]);
        int threads = Option(args, "--threads", 2);
        NumericsOptions.MaxDegreeOfParallelism = threads;
        bool int8 = Precision(args);
        switch (args[1])
        {
            case "checkpoints":
                using (var models = new BenchmarkModels(root))
                {
                    foreach (string family in BenchmarkModels.Families)
                    {
                        Console.WriteLine($"{family}: {models.Checkpoint(family).Path}");
                    }
                }

                return 0;
            case "compare" when int8:
                return OrtInt8Comparison.Compare(root, args, threads);
            case "compare":
                return Compare(root, args, threads);
            case "peak" when args.Length >= 5:
                Console.WriteLine(Peak(root, Find(args[3]), args[4] == "ort", Option(args, "--runs", 3), threads, int8) >> 20);
                return 0;
            default:
                Console.Error.WriteLine($"ort: unknown sub-command '{args[1]}' (checkpoints, compare, peak)");
                return 2;
        }
    }

    private static int Compare(string root, string[] args, int threads)
    {
        int rounds = Option(args, "--rounds", 3), runs = Option(args, "--runs", 5);
        string? jsonPath = args.SkipWhile(a => a != "--json").Skip(1).FirstOrDefault();
        List<OrtCase>? cases = Cases(args);
        if (cases is null)
        {
            return 2;
        }

        double corePeak = PrintHeader(threads, rounds, runs);
        var results = new List<Result>();
        using (var models = new BenchmarkModels(root))
        {
            string? family = null;
            foreach (OrtCase c in cases)
            {
                if (family != c.Family)
                {
                    models.Dispose(); // kept checkpoints stay: only the loaded models are dropped
                    family = c.Family;
                }

                results.Add(CompareOne(root, c, models, rounds, runs, threads, corePeak * threads));
            }
        }

        // Times are medians over the rounds; a ratio is the median of the rounds' ratios (each round times both sides).
        Console.WriteLine();
        Console.WriteLine($"{"benchmark",-24} {"GFLOP",7} {"ours s",8} {"ORT s",8} {"ours/ORT",8}  {"per round",-22} {"ours CPU",8} {"ORT CPU",8} {"CPU o/O",7}  {"per round",-22} "
            + $"{"ours GF/s",9} {"ORT GF/s",9} {"ours %pk",8} {"ours MiB",8} {"ORT MiB",8} {"|ORT-ours|",10} {"|ORT-eager|",11}");
        string Join(List<double> values) => string.Join(", ", values.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)));
        foreach (Result r in results)
        {
            Console.WriteLine($"{r.Name,-24} {r.Gflop,7:F1} {r.Ours,8:F3} {r.Ort,8:F3} {Median(r.Ratios),8:F2}  {Join(r.Ratios),-22} {r.OursCpu,8:F3} {r.OrtCpu,8:F3} {Median(r.CpuRatios),7:F2}  {Join(r.CpuRatios),-22} "
                + $"{r.Gflop / r.Ours,9:F0} {r.Gflop / r.Ort,9:F0} {100 * r.Gflop / r.Ours / r.Peak,7:F0}% {r.OursMib,8} {r.OrtMib,8} {r.OursVsOrt,10:E1} {r.OrtVsEager,11:E1}");
        }

        if (jsonPath is not null)
        {
            File.WriteAllLines(jsonPath, results.Select(r => JsonSerializer.Serialize(r)));
        }

        return 0;
    }

    /// <summary>The benchmarks <c>--filter</c> selects (all without it), or null (after saying why) when it selects none.</summary>
    internal static List<OrtCase>? Cases(string[] args)
    {
        string? filter = args.SkipWhile(a => a != "--filter").Skip(1).FirstOrDefault();
        List<OrtCase> cases = OrtCase.All
            .Where(c => filter is null || filter.Split(',').Any(p => c.Name.Contains(p, StringComparison.OrdinalIgnoreCase))).ToList();
        if (cases.Count == 0)
        {
            Console.Error.WriteLine($"ort compare: --filter '{filter}' matches none of {string.Join(", ", OrtCase.All.Select(c => c.Name))}");
            return null;
        }

        return cases;
    }

    /// <summary>Prints the machine, versions and settings; returns one core's FMA peak (best of 3), GFLOP/s.</summary>
    internal static double PrintHeader(int threads, int rounds, int runs)
    {
        double corePeak = Enumerable.Range(0, 3).Max(_ => Gflops(FmaPeak.Flops(20_000_000), Time(() => FmaPeak.Run(20_000_000))));
        Console.WriteLine($"{Environment.ProcessorCount} cores, {threads} thread(s) a side, {NumericsOptions.InstructionSet}; ORT {OrtEnv.Instance().GetVersionString()}; "
            + $"FMA peak {corePeak:F0} GFLOP/s a core, {corePeak * threads:F0} for {threads}; {rounds} rounds × {runs} runs; load {LoadAverage()}");
        return corePeak;
    }

    /// <summary><c>--precision int8</c> (true) or <c>float32</c> / absent (false).</summary>
    internal static bool Precision(string[] args) =>
        args.SkipWhile(a => a != "--precision").Skip(1).FirstOrDefault() switch
        {
            null or "float32" => false,
            "int8" => true,
            string other => throw new ArgumentException($"--precision '{other}': expected float32 or int8."),
        };

    private static Result CompareOne(string root, OrtCase c, BenchmarkModels models, int rounds, int runs, int threads, double peak)
    {
        var (ours, flops) = c.Bench.Prepare(models);
        ours(); // warm-up: JIT, weight packing
        using InferenceSession session = Session(root, c.Name, threads, int8: false);
        IReadOnlyList<(string Name, OrtInput Value)> inputs = c.Inputs();
        float[] ortOutput = RunOrt(session, inputs);

        // Once: ORT on the exported graph against PyTorch eager (the export is right), and against us (same weights).
        double vsEager = MaxAbsDifference(CheckOutput(root, c.Name, "output", int8: false), RunOrt(session, CheckInputs(root, c.Name, session, int8: false)), c.Name);
        double vsOurs = MaxAbsDifference(c.Ours(models), ortOutput, c.Name);
        Console.WriteLine($"{c.Name}: max |ORT − eager| {vsEager:E2}, max |ORT − ours| {vsOurs:E2} ({ortOutput.Length} values)");

        Action ort = () => RunOrt(session, inputs);
        var ratios = new List<double>();
        var cpuRatios = new List<double>();
        var oursMedians = new List<double>();
        var ortMedians = new List<double>();
        var oursCpu = new List<double>();
        var ortCpu = new List<double>();
        for (int r = 1; r <= rounds; r++)
        {
            string load = LoadAverage();
            (double Wall, double Cpu) o, x;
            if (r % 2 == 1)
            {
                o = MedianTimes(ours, runs);
                x = MedianTimes(ort, runs);
            }
            else
            {
                x = MedianTimes(ort, runs);
                o = MedianTimes(ours, runs);
            }

            oursMedians.Add(o.Wall);
            ortMedians.Add(x.Wall);
            oursCpu.Add(o.Cpu);
            ortCpu.Add(x.Cpu);
            ratios.Add(o.Wall / x.Wall);
            cpuRatios.Add(o.Cpu / x.Cpu);
            Console.WriteLine($"  round {r} (load {load}): ours {o.Wall:F3} s ({o.Cpu:F3} CPU s), ORT {x.Wall:F3} s ({x.Cpu:F3} CPU s), "
                + $"ours/ORT {o.Wall / x.Wall:F2} wall, {o.Cpu / x.Cpu:F2} CPU");
        }

        // Peak resident memory: each side alone in a fresh process (load, warm-up, runs), so neither counts the other.
        long oursMib = ChildPeak(root, c.Name, "ours", threads, int8: false), ortMib = ChildPeak(root, c.Name, "ort", threads, int8: false);
        double gflop = flops / 1e9;
        return new Result(
            c.Name, gflop, Median(oursMedians), Median(ortMedians), ratios, Median(oursCpu), Median(ortCpu), cpuRatios, peak, oursMib, ortMib, vsOurs, vsEager, load: LoadAverage());
    }

    /// <summary>Loads one side alone, warms it up, runs it <paramref name="runs"/> times; the process's peak resident bytes.</summary>
    private static long Peak(string root, OrtCase c, bool ort, int runs, int threads, bool int8)
    {
        if (ort)
        {
            using InferenceSession session = Session(root, c.Name, threads, int8);
            IReadOnlyList<(string Name, OrtInput Value)> inputs = c.Inputs();
            for (int i = 0; i <= runs; i++)
            {
                RunOrt(session, inputs);
            }
        }
        else
        {
            using BenchmarkModels models = int8 ? OrtInt8Comparison.Int8Models(root) : new BenchmarkModels(root);
            var (run, _) = c.Bench.Prepare(models);
            for (int i = 0; i <= runs; i++)
            {
                run();
            }
        }

        return PeakMemory.Peak();
    }

    internal static long ChildPeak(string root, string name, string side, int threads, bool int8)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        string entry = typeof(OrtSideBySide).Assembly.Location;
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals(Path.GetFileNameWithoutExtension(entry), StringComparison.Ordinal))
        {
            start.ArgumentList.Add(entry); // started as `dotnet X.dll`
        }

        foreach (string a in (string[])["ort", "peak", root, name, side, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--precision", int8 ? "int8" : "float32"])
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string last = output.Trim().Split('\n')[^1];
        return process.ExitCode == 0 && long.TryParse(last, out long mib)
            ? mib
            : throw new InvalidOperationException($"ort peak {name} {side} failed (exit code {process.ExitCode}): {output}");
    }

    /// <summary>The folder of a benchmark's graph: <c>DIR/onnx/NAME</c>, or <c>DIR/onnx-int8/NAME</c> for the quantized one.</summary>
    internal static string GraphFolder(string root, string name, bool int8) => Path.Combine(root, int8 ? "onnx-int8" : "onnx", name);

    internal static InferenceSession Session(string root, string name, int threads, bool int8)
    {
        string path = Path.Combine(GraphFolder(root, name, int8), "model.onnx");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"No exported graph for {name} at '{path}': run tests/perf/export_onnx.py {root}{(int8 ? " --precision int8" : "")} first.", path);
        }

        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (Environment.GetEnvironmentVariable("CLIP_ORT_PROFILE") is string prefix && prefix.Length > 0)
        {
            // The prefix first: the EnableProfiling setter hands ORT the prefix set at that moment. ORT writes
            // PREFIX-NAME[-int8]_<date>.json: per-op times (tests/perf/README.md).
            options.ProfileOutputPathPrefix = prefix + "-" + name + (int8 ? "-int8" : "");
            options.EnableProfiling = true;
        }

        return new InferenceSession(path, options);
    }

    internal static float[] RunOrt(InferenceSession session, IReadOnlyList<(string Name, OrtInput Value)> inputs)
    {
        var values = inputs.Select(i => i.Value.ToOrtValue()).ToList();
        try
        {
            using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(new RunOptions(), inputs.Select(i => i.Name).ToList(), values, session.OutputNames);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    /// <summary>The graph inputs stored in the benchmark's <c>check.safetensors</c> (written by export_onnx.py).</summary>
    internal static List<(string Name, OrtInput Value)> CheckInputs(string root, string name, InferenceSession session, bool int8)
    {
        using SafeTensorsFile check = SafeTensorsFile.Open(Path.Combine(GraphFolder(root, name, int8), "check.safetensors"));
        var inputs = new List<(string, OrtInput)>();
        foreach (string input in session.InputNames)
        {
            TensorInfo info = check.GetInfo(input) ?? throw new InvalidDataException($"{name}: check.safetensors has no input '{input}'");
            long[] shape = info.Shape.Select(d => (long)d).ToArray();
            inputs.Add((input, info.DataType == TensorDataType.Int64
                ? new OrtInput(null, check.LoadInt64(input).Values, shape)
                : new OrtInput(check.LoadFloat32(input).ToArray(), null, shape)));
        }

        return inputs;
    }

    /// <summary>An eager PyTorch output stored in the benchmark's <c>check.safetensors</c> (<c>output</c>, <c>float_output</c>).</summary>
    internal static float[] CheckOutput(string root, string name, string output, bool int8)
    {
        using SafeTensorsFile check = SafeTensorsFile.Open(Path.Combine(GraphFolder(root, name, int8), "check.safetensors"));
        return check.LoadFloat32(output).ToArray();
    }

    internal static double MaxAbsDifference(float[] a, float[] b, string name)
    {
        if (a.Length != b.Length)
        {
            throw new InvalidDataException($"{name}: {a.Length} values on one side, {b.Length} on the other: the graph does not compute the benchmark's output.");
        }

        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        }

        return max;
    }

    internal static OrtCase Find(string name) =>
        OrtCase.All.SingleOrDefault(c => c.Name == name) ?? throw new ArgumentException($"No model benchmark '{name}'; the names are {string.Join(", ", OrtCase.All.Select(c => c.Name))}.");

    /// <summary>Medians of the wall time and of the process's CPU time (all threads) of <paramref name="runs"/> calls.</summary>
    internal static (double Wall, double Cpu) MedianTimes(Action action, int runs)
    {
        var wall = new List<double>();
        var cpu = new List<double>();
        using var process = Process.GetCurrentProcess();
        for (int i = 0; i < runs; i++)
        {
            process.Refresh();
            TimeSpan before = process.TotalProcessorTime;
            wall.Add(Time(action));
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - before).TotalSeconds);
        }

        return (Median(wall), Median(cpu));
    }

    internal static double Gflops(double flops, double seconds) => flops / seconds / 1e9;

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    internal static int Option(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(fallback);

    /// <summary>One benchmark's figures (medians over rounds of each round's median).</summary>
    /// <remarks>CPU seconds (user + system of all threads of the process) per call are the load-robust figure on a shared
    /// machine: other processes stretch wall time, not the cycles a call needs. Spin-waiting counts on both sides.</remarks>
    private sealed record Result(
        string Name, double Gflop, double Ours, double Ort, List<double> Ratios, double OursCpu, double OrtCpu, List<double> CpuRatios,
        double Peak, long OursMib, long OrtMib, double OursVsOrt, double OrtVsEager, string load);
}
