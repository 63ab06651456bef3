using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>
/// A fully connected layer as <c>torch.nn.Linear</c> computes it: <c>y = x·Wᵀ + b</c>, with <c>W</c> stored
/// <c>[out, in]</c> row-major, optionally followed by a fused activation.
/// </summary>
/// <remarks>
/// A layer built with <see cref="ComputePrecision.Int8"/> computes the same function on int8-quantized weights and inputs
/// (see <see cref="Linear(Tensor, Tensor?, ComputePrecision)"/>); its outputs differ from float32 by the quantization
/// error, and are bit-identical whatever the instruction set or thread count.
/// </remarks>
public sealed class Linear
{
    /// <summary>Creates a float32 layer from its weight <c>[out, in]</c> and optional bias <c>[out]</c>.</summary>
    /// <param name="weight">The weight, shape <c>[out, in]</c>.</param>
    /// <param name="bias">The bias, shape <c>[out]</c>, or null.</param>
    public Linear(Tensor weight, Tensor? bias)
        : this(weight, bias, ComputePrecision.Float32)
    {
    }

    /// <summary>Creates the layer from its weight <c>[out, in]</c> and optional bias <c>[out]</c>, in a given precision.</summary>
    /// <param name="weight">The weight, shape <c>[out, in]</c>.</param>
    /// <param name="bias">The bias, shape <c>[out]</c>, or null.</param>
    /// <param name="precision">
    /// <see cref="ComputePrecision.Int8"/>: the weight is quantized per output channel (symmetric, <c>scale[j] = max|W[j, :]| / 127</c>)
    /// when packed, each call quantizes its input rows (<c>scale_x[i] = max|x[i, :]| / 127</c>), the products are summed
    /// exactly in int32 and the outputs are <c>acc·scale_x[i]·scale[j] + b[j]</c> in float32.
    /// </param>
    public Linear(Tensor weight, Tensor? bias, ComputePrecision precision)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (precision is not (ComputePrecision.Float32 or ComputePrecision.Int8))
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "A linear layer's precision must be Float32 or Int8.");
        }

        if (weight.Rank != 2)
        {
            throw new ArgumentException($"A linear weight must be [out, in]; got {weight}.", nameof(weight));
        }

        if (bias is not null && !bias.HasShape(weight.Dim(0)))
        {
            throw new ArgumentException($"A linear bias must be [{weight.Dim(0)}] to match weight {weight}; got {bias}.", nameof(bias));
        }

        _weight = weight;
        OutFeatures = weight.Dim(0);
        InFeatures = weight.Dim(1);
        Bias = bias;
        Precision = precision;
    }

    private readonly object _packLock = new();
    private volatile PackedWeights? _packed;
    private volatile Int8Weights? _int8;

    // The weight as given, until it is packed: then a weight in managed memory is let go (the packed panels hold the
    // same values), so a model holds one copy of its weights, not two. A memory-mapped weight is kept, but the pages
    // packing read are handed back to the OS (they would otherwise stay resident beside the packed copy); reading
    // Weight later faults them in again from the file.
    private volatile Tensor? _weight;

    /// <summary>The weight, <c>[out, in]</c>.</summary>
    /// <remarks>
    /// Once the layer has packed its weight (on the first forward pass, or <see cref="PackWeights"/>), a weight held in
    /// managed memory is released and this property returns a new tensor rebuilt from the packed copy (same values; for an
    /// int8 layer, the dequantized values <c>q·scale</c>). A memory-mapped weight is returned as given; its pages are read
    /// from the checkpoint file again when touched.
    /// </remarks>
    public Tensor Weight => _weight ?? UnpackWeight();

    /// <summary>The layer's arithmetic: float32, or int8 weights and activations with int32 sums.</summary>
    public ComputePrecision Precision { get; }

    /// <summary>The bias, <c>[out]</c>, or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>The input width.</summary>
    public int InFeatures { get; }

    /// <summary>The output width.</summary>
    public int OutFeatures { get; }

    /// <summary>Computes <c>output[rows, out] = activation(input[rows, in]·Wᵀ + b)</c>.</summary>
    /// <param name="input">The input rows, <c>[rows, in]</c>.</param>
    /// <param name="output">The output rows, <c>[rows, out]</c>; must not overlap <paramref name="input"/>.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="activation">An activation fused into the output.</param>
    /// <remarks>
    /// The first call packs the weight once into GEMM panels (thread-safe; the packed copy lives as long as the layer); the
    /// bias and the activation are applied to each output tile while it is still in cache.
    /// </remarks>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int rows, Activation activation = Activation.None) =>
        Forward(input, output, rows, activation, SimdLevelInfo.Best, NumericsOptions.MaxDegreeOfParallelism);

    /// <summary>
    /// Adds the layer's output to <paramref name="output"/>: <c>output[rows, out] += input[rows, in]·Wᵀ + b</c> — a residual
    /// connection (<c>hidden = residual + out_proj(x)</c>) without a separate pass. Each sum is one FMA chain started from
    /// the residual, so it rounds slightly differently from torch's <c>residual + (x·Wᵀ + b)</c> (well within 1e-5).
    /// </summary>
    /// <param name="input">The input rows, <c>[rows, in]</c>.</param>
    /// <param name="output">The residual rows, <c>[rows, out]</c>, updated in place; must not overlap <paramref name="input"/>.</param>
    /// <param name="rows">The number of rows.</param>
    public void ForwardAdd(ReadOnlySpan<float> input, Span<float> output, int rows) =>
        Forward(input, output, rows, Activation.None, SimdLevelInfo.Best, NumericsOptions.MaxDegreeOfParallelism, accumulate: true);

    /// <summary>The forward pass on a chosen instruction-set path and thread count (tests force each path).</summary>
    internal unsafe void Forward(
        ReadOnlySpan<float> input, Span<float> output, int rows, Activation activation, SimdLevel level, int maxThreads, bool accumulate = false)
    {
        int k = InFeatures;
        int n = OutFeatures;
        if (rows < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"The row count must be non-negative; got {rows}.");
        }

        if (input.Length < (long)rows * k || output.Length < (long)rows * n)
        {
            throw new ArgumentException(
                $"Linear layer [{n}, {k}] on {rows} rows needs an input of {(long)rows * k} values and an output of {(long)rows * n}; " +
                $"got {input.Length} and {output.Length}.");
        }

        if (activation is < Activation.None or > Activation.Tanh)
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }

        if (Precision == ComputePrecision.Int8)
        {
            ForwardInt8(input, output, rows, activation, Int8LevelInfo.Best, maxThreads, accumulate);
            return;
        }

        PackedWeights packed = _packed ?? EnsurePacked();
        fixed (float* x = input)
        fixed (float* y = output)
        {
            var problem = new GemmProblem
            {
                A = x,
                Lda = k,
                PackedB = packed.Weight.Pointer,
                C = y,
                Ldc = n,
                Batch = 1,
                M = rows,
                N = n,
                K = k,
                Accumulate = accumulate,
                Bias = packed.Bias is null ? null : packed.Bias.Pointer,
                Activation = activation,
                Level = level,
            };
            GemmDriver.Run(ref problem, maxThreads);
        }
    }

    /// <summary>The int8 forward pass on a chosen kernel path and thread count (tests force each path); checks are the caller's.</summary>
    internal unsafe void ForwardInt8(
        ReadOnlySpan<float> input, Span<float> output, int rows, Activation activation, Int8Level level, int maxThreads, bool accumulate = false)
    {
        Int8Weights weights = _int8 ?? EnsureInt8();
        fixed (float* x = input)
        fixed (float* y = output)
        {
            Int8Gemm.Run(weights, x, InFeatures, rows, y, OutFeatures, accumulate, activation, level, maxThreads);
        }
    }

    /// <summary>Applies the layer to the last axis of <paramref name="input"/> and returns a new tensor.</summary>
    /// <param name="input">Any shape ending in <c>in</c>.</param>
    /// <param name="activation">An activation fused into the output.</param>
    public Tensor Forward(Tensor input, Activation activation = Activation.None)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Dim(-1) != InFeatures)
        {
            throw new ArgumentException($"Linear layer expects inputs ending in {InFeatures}; got {input}.", nameof(input));
        }

        int[] shape = input.Shape.ToArray();
        shape[^1] = OutFeatures;
        Tensor output = Tensor.Uninitialized(shape); // the product writes every value (k = 0 clears)
        Forward(input.Span, output.Span, input.Length / InFeatures, activation);
        return output;
    }

    /// <summary>
    /// Packs the weight into GEMM panels now rather than on the first <see cref="Forward(ReadOnlySpan{float}, Span{float}, int, Activation)"/>
    /// (e.g. while loading a model, so the first inference is not slower). Idempotent and thread-safe.
    /// </summary>
    /// <remarks>
    /// The packed copy takes <c>⌈out/64⌉·64·in</c> floats of native memory. A weight in managed memory is released once
    /// packed; the pages of a memory-mapped one are handed back to the OS (<see cref="Weight"/> then reads them from the
    /// file again, so values written in place into a mapped weight before it was packed do not survive there). An int8
    /// layer quantizes instead, into <c>⌈out/16⌉·16·⌈in/4⌉·4</c> bytes plus three values per output: about a quarter of
    /// the float32 weight.
    /// </remarks>
    /// <exception cref="ArgumentException">An int8 layer's weight holds a NaN or an infinity (it has no int8 scale).</exception>
    public void PackWeights()
    {
        if (Precision == ComputePrecision.Int8)
        {
            EnsureInt8();
        }
        else
        {
            EnsurePacked();
        }
    }

    private PackedWeights EnsurePacked()
    {
        lock (_packLock)
        {
            if (_packed is null)
            {
                Tensor weight = _weight!;
                _packed = new PackedWeights(weight, Bias);
                ReleaseSource(weight);
            }

            return _packed;
        }
    }

    private Int8Weights EnsureInt8()
    {
        lock (_packLock)
        {
            if (_int8 is null)
            {
                Tensor weight = _weight!;
                _int8 = new Int8Weights(
                    weight.Span, Bias is null ? default : Bias.Span, Bias is not null, OutFeatures, InFeatures, NumericsOptions.MaxDegreeOfParallelism);
                ReleaseSource(weight);
            }

            return _int8;
        }
    }

    /// <summary>After packing: drops a managed weight (the packed copy is now the only one) or hands a mapped one's pages back.</summary>
    private void ReleaseSource(Tensor weight)
    {
        if (MemoryMarshal.TryGetArray<float>(weight.Memory, out _))
        {
            _weight = null; // managed: the packed panels are now the only copy
        }
        else if (MemoryMarshal.TryGetMemoryManager<float, MemoryManager<float>>(weight.Memory, out MemoryManager<float>? manager, out int start, out int length)
            && manager is IFileBackedMemory mapped)
        {
            mapped.ReleasePages(start, length); // memory-mapped: the file keeps the values, the process need not
        }
    }

    /// <summary>Rebuilds <c>W [out, in]</c> from the packed panels: <c>packed[panel·k·64 + p·64 + c] = W[panel·64 + c, p]</c>.</summary>
    private unsafe Tensor UnpackWeight()
    {
        if (Precision == ComputePrecision.Int8)
        {
            return new Tensor((_int8 ?? EnsureInt8()).Dequantize(), OutFeatures, InFeatures);
        }

        PackedWeights packed = _packed ?? EnsurePacked();
        int n = OutFeatures, k = InFeatures;
        var weight = new Tensor(n, k);
        Span<float> w = weight.Span;
        float* panels = packed.Weight.Pointer;
        for (int row = 0; row < n; row++)
        {
            float* column = panels + ((long)(row / GemmMicroKernels.NR) * k * GemmMicroKernels.NR) + (row % GemmMicroKernels.NR);
            for (int p = 0; p < k; p++)
            {
                w[(row * k) + p] = column[(long)p * GemmMicroKernels.NR];
            }
        }

        return weight;
    }

    /// <summary>Wᵀ packed into 64-column GEMM panels, and the bias zero-padded to whole panels.</summary>
    private sealed unsafe class PackedWeights
    {
        public PackedWeights(Tensor weight, Tensor? bias)
        {
            int n = weight.Dim(0);
            int k = weight.Dim(1);
            Weight = new AlignedBuffer(Math.Max(1, GemmPacking.PackedLength(k, n)));
            fixed (float* w = weight.Span)
            {
                // The weight's pages (usually the mapped checkpoint's) and the packed buffer's, mapped in two calls rather
                // than one fault per page on the packing threads.
                PageAdvice.Populate(w, (long)weight.Length * sizeof(float), forWrite: false);
                PageAdvice.Populate(Weight.Pointer, (long)Weight.Length * sizeof(float), forWrite: true);
                var job = new GemmPackJob();
                job.Set(w, k, 0, transposed: true, k, n, Weight.Pointer, 0);
                WorkerPool.Run(job, GemmPacking.Panels(n), NumericsOptions.MaxDegreeOfParallelism);
            }

            if (bias is not null)
            {
                int padded = GemmPacking.Panels(n) * GemmMicroKernels.NR;
                Bias = new AlignedBuffer(Math.Max(1, padded));
                var span = new Span<float>(Bias.Pointer, padded);
                span.Clear();
                bias.Span.CopyTo(span);
            }
        }

        public AlignedBuffer Weight { get; }

        public AlignedBuffer? Bias { get; }
    }
}
