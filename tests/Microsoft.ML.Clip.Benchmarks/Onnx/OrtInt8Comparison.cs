using static Microsoft.ML.Clip.Benchmarks.Timing;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Clip.Cli.Bench;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.Clip.Benchmarks.Onnx.OrtSideBySide;

namespace Microsoft.ML.Clip.Benchmarks.Onnx;

/// <summary>
/// <c>ort compare DIR --precision int8</c>: our int8 mode beside ONNX Runtime running the graphs its dynamic int8
/// quantization makes of the float ones (<c>DIR/onnx-int8/NAME/model.onnx</c>, written by
/// <c>tests/perf/export_onnx.py DIR --precision int8</c>), and beside ORT float32 on the original graphs, in one process:
/// <list type="bullet">
/// <item>once per benchmark: ORT int8 on <c>check.safetensors</c>' inputs against the same int8 arithmetic in PyTorch eager
/// (the quantized graph is what it should be), then the accuracy of both int8 sides against our float32 model on the
/// benchmark's inputs (the reference; ORT float32 equals it to ~1e-5): the lowest cosine over the output's rows
/// (embeddings; for logits, the row of logits) and max |Δ|;</item>
/// <item>rounds of the three (ours int8, ORT int8, ORT float32), the order rotating each round, each <c>--runs</c> calls;</item>
/// <item>peak resident memory of ours int8 and ORT int8, each alone in a fresh process.</item>
/// </list>
/// </summary>
internal static class OrtInt8Comparison
{
    /// <summary>The models our int8 side runs: <c>clip bench</c>'s checkpoints in <paramref name="root"/>, loaded in int8 mode.</summary>
    public static BenchmarkModels Int8Models(string root) => new(root, Modeling.ComputePrecision.Int8);

    public static int Compare(string root, string[] args, int threads)
    {
        int rounds = Option(args, "--rounds", 3), runs = Option(args, "--runs", 5);
        string? jsonPath = args.SkipWhile(a => a != "--json").Skip(1).FirstOrDefault();
        List<OrtCase>? cases = Cases(args);
        if (cases is null)
        {
            return 2;
        }

        _ = PrintHeader(threads, rounds, runs);
        Console.WriteLine("int8: ours = our int8 mode; ORT int8 = DIR/onnx-int8 (ORT's dynamic quantization of the float graphs); ORT f32 = DIR/onnx");
        CheckProbe(root, threads);
        var results = new List<Int8Result>();
        string? family = null;
        BenchmarkModels? int8Models = null, floatModels = null;
        try
        {
            foreach (OrtCase c in cases)
            {
                if (family != c.Family)
                {
                    int8Models?.Dispose(); // one family's models at a time; the kept checkpoints stay
                    floatModels?.Dispose();
                    int8Models = Int8Models(root);
                    floatModels = new BenchmarkModels(root);
                    family = c.Family;
                }

                results.Add(CompareOne(root, c, int8Models!, floatModels!, rounds, runs, threads));
            }
        }
        finally
        {
            int8Models?.Dispose();
            floatModels?.Dispose();
        }

        PrintTable(results);
        if (jsonPath is not null)
        {
            File.WriteAllLines(jsonPath, results.Select(r => JsonSerializer.Serialize(r)));
        }

        return 0;
    }

    private static Int8Result CompareOne(string root, OrtCase c, BenchmarkModels int8Models, BenchmarkModels floatModels, int rounds, int runs, int threads)
    {
        var (ours, flops) = c.Bench.Prepare(int8Models);
        ours(); // warm-up: JIT, weight quantization and packing
        using InferenceSession ortInt8 = Session(root, c.Name, threads, int8: true);
        using InferenceSession ortFloat = Session(root, c.Name, threads, int8: false);
        IReadOnlyList<(string Name, OrtInput Value)> inputs = c.Inputs();
        float[] ortInt8Output = RunOrt(ortInt8, inputs);
        float[] ortFloatOutput = RunOrt(ortFloat, inputs);
        int row = (int)ortInt8.OutputMetadata[ortInt8.OutputNames[0]].Dimensions[^1];

        // Once: the quantized graph against the same arithmetic in eager PyTorch (check.safetensors' inputs).
        var checkInputs = CheckInputs(root, c.Name, ortInt8, int8: true);
        float[] ortInt8OnCheck = RunOrt(ortInt8, checkInputs);
        float[] eagerInt8 = CheckOutput(root, c.Name, "output", int8: true);
        double vsEagerInt8 = MaxAbsDifference(eagerInt8, ortInt8OnCheck, c.Name);
        double cosineVsEagerInt8 = RowCosine.Smallest(eagerInt8, ortInt8OnCheck, row);
        float[] eagerFloat = CheckOutput(root, c.Name, "float_output", int8: true);
        double ortCosineOnCheck = RowCosine.Smallest(eagerFloat, ortInt8OnCheck, row);

        // Accuracy on the benchmark's inputs, both int8 sides against our float32 model.
        float[] reference = c.Ours(floatModels);
        float[] oursInt8Output = c.Ours(int8Models);
        var accuracy = new Int8Accuracy(
            RowCosine.Smallest(reference, oursInt8Output, row), MaxAbsDifference(reference, oursInt8Output, c.Name),
            RowCosine.Smallest(reference, ortInt8Output, row), MaxAbsDifference(reference, ortInt8Output, c.Name),
            MaxAbsDifference(reference, ortFloatOutput, c.Name), vsEagerInt8, cosineVsEagerInt8, ortCosineOnCheck,
            RowCosine.Smallest(eagerFloat, eagerInt8, row));
        Console.WriteLine($"{c.Name}: vs float32 (ours), min cosine / max |Δ|: ours int8 {accuracy.OursCosine:F6} / {accuracy.OursMaxAbs:E2}, "
            + $"ORT int8 {accuracy.OrtCosine:F6} / {accuracy.OrtMaxAbs:E2}; |ORT f32 − ours f32| {accuracy.OrtFloatMaxAbs:E1}; "
            + $"check inputs: ORT int8 vs eager int8 cosine {cosineVsEagerInt8:F6}, max |Δ| {vsEagerInt8:E1}; vs eager f32, cosine ORT int8 {ortCosineOnCheck:F6}, "
            + $"eager int8 {accuracy.EagerCosineOnCheck:F6}; {reference.Length} values");

        Action[] sides = [ours, () => RunOrt(ortInt8, inputs), () => RunOrt(ortFloat, inputs)];
        var medians = new List<(double Wall, double Cpu)[]>();
        for (int r = 0; r < rounds; r++)
        {
            string load = LoadAverage();
            var m = new (double Wall, double Cpu)[3];
            for (int k = 0; k < 3; k++)
            {
                int side = (r + k) % 3; // round 1: ours, ORT int8, ORT f32; round 2: ORT int8, ORT f32, ours; …
                m[side] = MedianTimes(sides[side], runs);
            }

            medians.Add(m);
            Console.WriteLine($"  round {r + 1} (load {load}): ours int8 {m[0].Wall:F3} s ({m[0].Cpu:F3} CPU s), ORT int8 {m[1].Wall:F3} s ({m[1].Cpu:F3}), "
                + $"ORT f32 {m[2].Wall:F3} s ({m[2].Cpu:F3}); ours/ORT int8 {m[0].Wall / m[1].Wall:F2}, ours int8/ORT f32 {m[0].Wall / m[2].Wall:F2}");
        }

        long oursMib = ChildPeak(root, c.Name, "ours", threads, int8: true), ortMib = ChildPeak(root, c.Name, "ort", threads, int8: true);
        List<double> Wall(int side) => medians.Select(m => m[side].Wall).ToList();
        List<double> Cpu(int side) => medians.Select(m => m[side].Cpu).ToList();
        return new Int8Result(
            c.Name, flops / 1e9, Median(Wall(0)), Median(Wall(1)), Median(Wall(2)),
            medians.Select(m => m[0].Wall / m[1].Wall).ToList(), medians.Select(m => m[0].Wall / m[2].Wall).ToList(),
            Median(Cpu(0)), Median(Cpu(1)), Median(Cpu(2)), medians.Select(m => m[0].Cpu / m[1].Cpu).ToList(),
            oursMib, ortMib, accuracy, LoadAverage());
    }

    /// <summary>
    /// ORT on <c>DIR/onnx-int8/probe</c> (two quantized layers, written by <c>export_onnx.py --precision int8</c>) against
    /// the eager emulation of the same int8 arithmetic: too shallow for rounding flips to spread, so the two should
    /// agree but for a few values (a flip in the second layer's quantized input moves a value by ~ a step × a weight).
    /// </summary>
    private static void CheckProbe(string root, int threads)
    {
        if (!File.Exists(Path.Combine(GraphFolder(root, "probe", int8: true), "check.safetensors")))
        {
            Console.WriteLine("probe: none (export_onnx.py DIR --precision int8 writes DIR/onnx-int8/probe)");
            return;
        }

        using InferenceSession session = Session(root, "probe", threads, int8: true);
        float[] ort = RunOrt(session, CheckInputs(root, "probe", session, int8: true));
        float[] eager = CheckOutput(root, "probe", "output", int8: true);
        double largest = eager.Max(v => Math.Abs((double)v));
        int differing = eager.Where((v, i) => Math.Abs((double)v - ort[i]) > 1e-5 * largest).Count();
        Console.WriteLine($"probe (3 quantized MatMuls, {eager.Length} values, max |eager| {largest:F2}): max |ORT int8 − eager int8| "
            + $"{MaxAbsDifference(eager, ort, "probe"):E2}, {differing} values differ by more than 1e-5 × that");
    }

    private static void PrintTable(List<Int8Result> results)
    {
        string Join(List<double> values) => string.Join(", ", values.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)));
        Console.WriteLine();
        Console.WriteLine($"{"benchmark",-24} {"GFLOP",6} {"ours i8",8} {"ORT i8",8} {"o/O i8",6}  {"per round",-18} {"ORT f32",8} {"o i8/O f32",10}  {"per round",-18} "
            + $"{"CPU o/O i8",10}  {"per round",-18} {"MiB ours",8} {"MiB ORT",8} {"cos ours",9} {"cos ORT",9} {"|Δ| ours",9} {"|Δ| ORT",9} {"cos ORT/eager i8",16}");
        foreach (Int8Result r in results)
        {
            Int8Accuracy a = r.Accuracy;
            Console.WriteLine($"{r.Name,-24} {r.Gflop,6:F1} {r.Ours,8:F3} {r.OrtInt8,8:F3} {Timing.Median(r.RatiosInt8),6:F2}  {Join(r.RatiosInt8),-18} {r.OrtFloat,8:F3} {Timing.Median(r.RatiosFloat),10:F2}  {Join(r.RatiosFloat),-18} "
                + $"{Timing.Median(r.CpuRatiosInt8),10:F2}  {Join(r.CpuRatiosInt8),-18} {r.OursMib,8} {r.OrtMib,8} {a.OursCosine,9:F6} {a.OrtCosine,9:F6} {a.OursMaxAbs,9:E1} {a.OrtMaxAbs,9:E1} {a.OrtCosineVsEagerInt8,16:F6}");
        }
    }

    /// <summary>One benchmark's int8 figures (medians over rounds of each round's median, seconds per call).</summary>
    private sealed record Int8Result(
        string Name, double Gflop, double Ours, double OrtInt8, double OrtFloat, List<double> RatiosInt8, List<double> RatiosFloat,
        double OursCpu, double OrtInt8Cpu, double OrtFloatCpu, List<double> CpuRatiosInt8, long OursMib, long OrtMib, Int8Accuracy Accuracy, string Load);

    /// <summary>Accuracy of both int8 sides against our float32 model on the benchmark's inputs, and the graph's checks.</summary>
    /// <param name="OursCosine">Lowest cosine over the output's rows, ours int8 vs float32.</param>
    /// <param name="OursMaxAbs">Max |Δ|, ours int8 vs float32.</param>
    /// <param name="OrtCosine">Lowest cosine over the rows, ORT int8 vs float32.</param>
    /// <param name="OrtMaxAbs">Max |Δ|, ORT int8 vs float32.</param>
    /// <param name="OrtFloatMaxAbs">Max |Δ|, ORT float32 vs ours float32 (the reference is the same computation).</param>
    /// <param name="OrtVsEagerInt8">Max |Δ|, ORT int8 vs the eager PyTorch emulation of the quantized graph (check inputs).</param>
    /// <param name="OrtCosineVsEagerInt8">Lowest row cosine, ORT int8 vs that emulation.</param>
    /// <param name="OrtCosineOnCheck">Lowest row cosine, ORT int8 vs PyTorch eager float32 on the check inputs.</param>
    /// <param name="EagerCosineOnCheck">Lowest row cosine, the eager int8 emulation vs eager float32 on the check inputs.</param>
    /// <remarks>
    /// Two int8 computations that differ only in float rounding do not agree to float precision: a rounding flip of one
    /// quantized activation perturbs the next layer's inputs by up to a quantization step, which flips others, and after
    /// a few layers the quantization noise of the two is independent. So ORT int8 and the eager emulation are compared by
    /// their error against float32 (similar cosines) and by their own cosine, not by a tight max |Δ|.
    /// </remarks>
    private sealed record Int8Accuracy(
        double OursCosine, double OursMaxAbs, double OrtCosine, double OrtMaxAbs, double OrtFloatMaxAbs, double OrtVsEagerInt8,
        double OrtCosineVsEagerInt8, double OrtCosineOnCheck, double EagerCosineOnCheck);
}
