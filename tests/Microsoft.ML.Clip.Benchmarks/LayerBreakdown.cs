using System.Diagnostics;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// Times each step of one pre-norm CLIP encoder layer (ViT-B/32 width 768, 12 heads, MLP 3072, quick GELU) on
/// <c>rows</c> tokens with the numerics kernels, to show where a layer's time goes. Part of the quick <c>gemm</c> run.
/// </summary>
public static class LayerBreakdown
{
    /// <summary>Prints the table for <paramref name="batch"/> sequences of <paramref name="tokens"/> tokens.</summary>
    public static void Run(int batch, int tokens, int runs)
    {
        const int width = 768, heads = 12, mlp = 3072;
        int rows = batch * tokens;
        var random = new Random(5);
        float[] Values(int count) => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * 0.05f).ToArray();
        Linear Layer(int outFeatures, int inFeatures) => new(new Tensor(Values(outFeatures * inFeatures), outFeatures, inFeatures), new Tensor(Values(outFeatures), outFeatures));
        var norm1 = new LayerNorm(new Tensor(Values(width), width), new Tensor(Values(width), width), 1e-5f);
        var norm2 = new LayerNorm(new Tensor(Values(width), width), new Tensor(Values(width), width), 1e-5f);
        Linear q = Layer(width, width), k = Layer(width, width), v = Layer(width, width), o = Layer(width, width);
        Linear fc1 = Layer(mlp, width), fc2 = Layer(width, mlp);
        float[] hidden = Values(rows * width), normed = new float[rows * width];
        float[] qs = new float[rows * width], ks = new float[rows * width], vs = new float[rows * width], context = new float[rows * width];
        float[] intermediate = new float[rows * mlp];
        var shape = new AttentionShape(batch, tokens, tokens, heads, width / heads);

        (string Name, Action Step)[] steps =
        [
            ("layer_norm1", () => norm1.Forward(hidden, normed, rows)),
            ("q, k, v projections", () => { q.Forward(normed, qs, rows); k.Forward(normed, ks, rows); v.Forward(normed, vs, rows); }),
            ("attention", () => Attention.Forward(qs, ks, vs, context, shape, 0.125f)),
            ("out_proj + residual", () => o.ForwardAdd(context, hidden, rows)),
            ("layer_norm2", () => norm2.Forward(hidden, normed, rows)),
            ("fc1 + quick_gelu", () => fc1.Forward(normed, intermediate, rows, Activation.QuickGelu)),
            ("fc2 + residual", () => fc2.ForwardAdd(intermediate, hidden, rows)),
        ];

        int cores = Environment.ProcessorCount;
        Console.WriteLine($"{$"encoder layer, {batch}×{tokens} tokens, ms",-38} {"1 thread",10} {cores + " threads",10}");
        double total1 = 0, totalAll = 0;
        foreach ((string name, Action step) in steps)
        {
            double one = Best(step, 1, runs), all = Best(step, cores, runs);
            total1 += one;
            totalAll += all;
            Console.WriteLine($"{name,-38} {one * 1e3,10:F3} {all * 1e3,10:F3}");
        }

        Console.WriteLine($"{"total",-38} {total1 * 1e3,10:F3} {totalAll * 1e3,10:F3}");
        NumericsOptions.MaxDegreeOfParallelism = cores;
    }

    private static double Best(Action action, int threads, int runs)
    {
        NumericsOptions.MaxDegreeOfParallelism = threads;
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
}
