using BenchmarkDotNet.Running;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// Runs the BenchmarkDotNet suites: <c>dotnet run -c Release --project tests/Microsoft.ML.Clip.Benchmarks -- --filter '*'</c>,
/// or the quick GEMM table: <c>… -- gemm [--runs N]</c>, its attention part alone: <c>… -- attention [--runs N] [--rounds R]</c>, few-row products with weights in cache and from DRAM:
/// <c>… -- gemm-small [--runs N] [--threads T] [MxKxN …]</c>, float32 against int8 at the same shapes: <c>… -- int8 [--rounds N]</c>,
/// or the model benchmarks in float32 and int8, interleaved: <c>… -- int8-models [--rounds N] [--filter part,…]</c>,
/// or full-size model timings and memory: <c>… -- models [xclip|altclip-memory|all]</c>,
/// or top-k search over a Parquet dataset of 1 M random rows: <c>… -- search --engine ours|duckdb|duckdb-table</c>,
/// or pre-processing against the ffmpeg decode floor: <c>… -- preprocess-floor VIDEO [--rounds N]</c>,
/// or the ONNX Runtime side-by-side: <c>… -- ort checkpoints|compare|peak DIR …</c> (tests/perf/README.md).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "gemm")
        {
            GemmQuickRun.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "attention")
        {
            AttentionQuickRun.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "gemm-small")
        {
            GemmSmallRun.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "int8-models")
        {
            Int8ModelRun.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "int8")
        {
            Int8QuickRun.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "ort")
        {
            Environment.ExitCode = Onnx.OrtSideBySide.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "models")
        {
            ModelQuickRun.Run(args);
            return;
        }

        if (args.Length > 1 && args[0] == "preprocess-floor")
        {
            PreprocessFloor.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "search")
        {
            SearchQuickRun.Run(args);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
