using System.Runtime.CompilerServices;
using Microsoft.ML.Clip.Checkpoints;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// A linear layer's weight <c>W [n, k]</c> quantized per output channel and packed for the int8 micro-kernels: panels of
/// <see cref="Int8MicroKernels.NR"/> = 16 output columns; within a panel, for each quad of 4 reduction steps, 16 columns ×
/// 4 bytes (<c>[panel][quad][column][4]</c>, 64 bytes — one cache line — per quad), zero-padded past <c>n</c> and <c>k</c>.
/// </summary>
/// <remarks>
/// Holds <c>⌈n/16⌉·16·⌈k/4⌉·4</c> bytes of weights plus three floats or ints per column: about a quarter of the float32
/// weight. The scales, column sums and bias are padded to whole panels (scale 1, sum 0, bias 0 past <c>n</c>).
/// </remarks>
internal sealed unsafe class Int8Weights
{
    private readonly AlignedBuffer _weights;
    private readonly AlignedBuffer _scales;
    private readonly AlignedBuffer _offsetCorrection;
    private readonly AlignedBuffer? _bias;

    /// <summary>Quantizes and packs <paramref name="weight"/> (<c>[n, k]</c> row-major) and copies <paramref name="bias"/>.</summary>
    /// <exception cref="ArgumentException">A weight is NaN or infinite (it has no int8 scale), or <c>k</c> is too long for exact int32 sums.</exception>
    public Int8Weights(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, bool hasBias, int n, int k, int maxThreads)
    {
        if (k > MaxReduction)
        {
            throw new ArgumentException($"An int8 linear layer sums at most {MaxReduction} products exactly in int32; this one has in = {k}.", nameof(k));
        }

        N = n;
        K = k;
        Quads = (k + 3) / 4;
        Panels = (n + Int8MicroKernels.NR - 1) / Int8MicroKernels.NR;
        int columns = Panels * Int8MicroKernels.NR;
        _weights = new AlignedBuffer(Math.Max(1, (long)columns * Quads)); // 4 bytes (one float's room) per column per quad
        _scales = new AlignedBuffer(Math.Max(1, columns));
        _offsetCorrection = new AlignedBuffer(Math.Max(1, columns));
        new Span<float>(_scales.Pointer, columns).Fill(1f);
        new Span<int>(_offsetCorrection.Pointer, columns).Clear();
        if (hasBias)
        {
            _bias = new AlignedBuffer(Math.Max(1, columns));
            var padded = new Span<float>(_bias.Pointer, columns);
            padded.Clear();
            bias.Slice(0, n).CopyTo(padded);
        }

        fixed (float* w = weight)
        {
            // As for float32 packing (Linear): the pages mapped in two calls, not faulted in one by one.
            PageAdvice.Populate(w, (long)weight.Length * sizeof(float), forWrite: false);
            PageAdvice.Populate(_weights.Pointer, (long)_weights.Length * sizeof(float), forWrite: true);
            var job = new PackJob(this, w);
            WorkerPool.Run(job, Panels, maxThreads);
            if (job.BadRow >= 0)
            {
                throw new ArgumentException(
                    $"Int8 quantization needs finite weights; row {job.BadRow} of the [{n}, {k}] weight holds a NaN or an infinity.", nameof(weight));
            }
        }
    }

    /// <summary>The longest reduction whose int32 sums cannot overflow: <c>k·255·127 &lt; 2³¹</c>.</summary>
    public const int MaxReduction = int.MaxValue / (255 * Int8Quantization.MaxLevel);

    /// <summary>Output columns.</summary>
    public int N { get; }

    /// <summary>Reduction length.</summary>
    public int K { get; }

    /// <summary>Quads of 4 reduction steps, <c>⌈k/4⌉</c>.</summary>
    public int Quads { get; }

    /// <summary>16-column panels, <c>⌈n/16⌉</c>.</summary>
    public int Panels { get; }

    /// <summary>The packed quantized weights: panel <c>j</c> starts at <c>j·Quads·64</c>.</summary>
    public sbyte* Weights => (sbyte*)_weights.Pointer;

    /// <summary>Per output column, the weight scale <c>max_p |W[j, p]| / 127</c>.</summary>
    public float* Scales => _scales.Pointer;

    /// <summary>Per output column, <c>128·Σ_p q_w[j, p]</c>: what the <c>+128</c> offset of unsigned activations adds to each sum.</summary>
    public int* OffsetCorrection => (int*)_offsetCorrection.Pointer;

    /// <summary>The bias padded to whole panels, or null.</summary>
    public float* Bias => _bias is null ? null : _bias.Pointer;

    /// <summary>The dequantized weight <c>q_w[j, p]·scale[j]</c>, <c>[n, k]</c>.</summary>
    public float[] Dequantize()
    {
        var result = new float[(long)N * K];
        for (int j = 0; j < N; j++)
        {
            sbyte* panel = Weights + ((long)(j / Int8MicroKernels.NR) * Quads * 64);
            int c = j % Int8MicroKernels.NR;
            for (int p = 0; p < K; p++)
            {
                result[((long)j * K) + p] = panel[((((long)(p / 4) * Int8MicroKernels.NR) + c) * 4) + (p % 4)] * Scales[j];
            }
        }

        return result;
    }

    /// <summary>Quantizes the rows of one panel and writes them in quad order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackPanel(float* w, int panel, ref int badRow)
    {
        const int NR = Int8MicroKernels.NR;
        sbyte* dst = Weights + ((long)panel * Quads * 64);
        new Span<sbyte>(dst, Quads * 64).Clear();
        int end = Math.Min(N, (panel + 1) * NR);
        for (int j = panel * NR; j < end; j++)
        {
            var row = new ReadOnlySpan<float>(w + ((long)j * K), K);
            float scale = Int8Quantization.Scale(row, vectorized: false);
            if (float.IsNaN(scale))
            {
                Interlocked.CompareExchange(ref badRow, j, -1);
                return;
            }

            int c = j - (panel * NR);
            int sum = 0;
            for (int p = 0; p < K; p++)
            {
                int q = Int8Quantization.Quantize(row[p], scale);
                dst[(((p / 4 * NR) + c) * 4) + (p % 4)] = (sbyte)q;
                sum += q;
            }

            Scales[j] = scale;
            OffsetCorrection[j] = 128 * sum;
        }
    }

    private sealed class PackJob(Int8Weights owner, float* weight) : ParallelJob
    {
        public int BadRow = -1;

        public override void Execute(int index) => owner.PackPanel(weight, index, ref BadRow);
    }
}
