using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Microsoft.ML.Clip.Numerics.Kernels.Int8MicroKernels;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// The int8 linear-layer product <c>C[m, n] (+)= act(dequant(quant(A[m, k]) · q_w[n, k]ᵀ) + bias)</c>:
/// <list type="number">
/// <item>A is quantized once per call, per row (<c>scale_x[i] = max|A[i, :]| / 127</c>), into a thread-local buffer of
/// rows padded to a multiple of 6 and <c>k</c> padded to a multiple of 4 (int16 values, or <c>q + 128</c> bytes for VNNI),
/// inside the same parallel job as the products: the first items of each row block quantize its rows;</item>
/// <item>each 6×16 output tile is one exact int32 sum over all of <c>k</c> (no reduction blocking), then</item>
/// <item><c>y = (float)acc · (scale_x[i]·scale_w[j]) + bias[j]</c>, then the activation, or <c>c + y</c> when accumulating.</item>
/// </list>
/// Work is split over row blocks and panel groups only, and every path computes the same integers and the same float
/// operations in the same order, so results are bit-identical across instruction sets and thread counts.
/// </summary>
internal static unsafe class Int8Gemm
{
    /// <summary>Largest row block: its quantized rows (at most <c>96·3072·2</c> bytes) stay in L2 while panels stream past.</summary>
    private const int MaxRowBlock = 96;

    [ThreadStatic]
    private static AlignedBuffer? t_quantized;

    [ThreadStatic]
    private static AlignedBuffer? t_rowScales;

    [ThreadStatic]
    private static ComputeJob? t_computeJob;

    /// <summary>Computes the product on up to <paramref name="maxThreads"/> threads.</summary>
    /// <param name="weights">The quantized, packed weight and its bias.</param>
    /// <param name="a">The input rows, <c>[m, k]</c>, <paramref name="lda"/> floats apart.</param>
    /// <param name="lda">Distance between input rows.</param>
    /// <param name="m">Rows.</param>
    /// <param name="c">The output rows, <c>[m, n]</c>, <paramref name="ldc"/> floats apart.</param>
    /// <param name="ldc">Distance between output rows.</param>
    /// <param name="accumulate">Add to the values in C instead of overwriting them.</param>
    /// <param name="activation">Applied to each output after the bias (and after the add when accumulating).</param>
    /// <param name="level">The kernel path.</param>
    /// <param name="maxThreads">The most threads to use.</param>
    public static void Run(Int8Weights weights, float* a, nint lda, int m, float* c, nint ldc, bool accumulate, Activation activation, Int8Level level, int maxThreads)
    {
        if (m == 0 || weights.N == 0)
        {
            return;
        }

        bool bytes = Int8LevelInfo.UsesUnsignedBytes(level);
        int paddedRows = (m + MR - 1) / MR * MR;
        int paddedK = weights.Quads * 4;
        long elementBytes = bytes ? 1 : 2;
        AlignedBuffer quantized = AlignedBuffer.Ensure(ref t_quantized, Math.Max(1, (((long)paddedRows * paddedK * elementBytes) + 3) / 4));
        AlignedBuffer rowScales = AlignedBuffer.Ensure(ref t_rowScales, paddedRows);

        ComputeJob compute = t_computeJob ??= new ComputeJob();
        compute.Set(weights, a, lda, (byte*)quantized.Pointer, paddedK * elementBytes, rowScales.Pointer, m, paddedRows, c, ldc, accumulate, activation, level);

        // Give each thread at least ~1 MFLOP-equivalent (the split never changes results).
        double flops = 2.0 * m * weights.N * Math.Max(1, weights.K);
        int threads = (int)Math.Clamp(flops / GemmDriver.MinFlopsPerThread, 1, Math.Max(1, maxThreads));
        int items = compute.Plan(threads);
        try
        {
            WorkerPool.Run(compute, items, threads);
        }
        finally
        {
            compute.Clear();
        }
    }

    /// <summary>
    /// Writes <c>C[r, j] = act((float)tile[r, j] · (rowScales[r]·columnScales[j]) + bias[j])</c> (or <c>C + …</c> before the
    /// activation when accumulating) for <paramref name="rows"/> × <paramref name="columns"/> of a 6×16 tile; the vector
    /// and scalar code do the same IEEE operations in the same order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Epilogue(
        bool vectorized, int* tile, int rows, int columns, float* rowScales, float* columnScales, float* bias, float* c, nint ldc, bool accumulate, Activation activation)
    {
        for (int r = 0; r < rows; r++)
        {
            float rowScale = rowScales[r];
            int* acc = tile + (r * NR);
            float* output = c + (r * ldc);
            int j = 0;
            if (vectorized && Avx2.IsSupported)
            {
                Vector256<float> broadcast = Vector256.Create(rowScale);
                for (; j + 8 <= columns; j += 8)
                {
                    Vector256<float> scale = Avx.Multiply(broadcast, Avx.LoadVector256(columnScales + j));
                    Vector256<float> y = Avx.Multiply(Avx.ConvertToVector256Single(Avx.LoadVector256(acc + j)), scale);
                    if (bias != null)
                    {
                        y = Avx.Add(y, Avx.LoadVector256(bias + j));
                    }

                    if (accumulate)
                    {
                        y = Avx.Add(Avx.LoadVector256(output + j), y);
                    }

                    Avx.Store(output + j, y);
                }
            }

            for (; j < columns; j++)
            {
                float scale = rowScale * columnScales[j];
                float y = acc[j] * scale;
                if (bias != null)
                {
                    y += bias[j];
                }

                if (accumulate)
                {
                    y = output[j] + y;
                }

                output[j] = y;
            }

            if (activation != Activation.None)
            {
                Activations.Apply(new Span<float>(output, columns), activation);
            }
        }
    }

    /// <summary>
    /// One item: a block of rows against a group of panels. The first item to reach a row block quantizes its rows, shared
    /// row by row with any other item that reaches the block meanwhile (each row is claimed by one thread, the others wait
    /// for the rows in flight), so a call is one fork-join and every row is quantized once, the same way on any thread.
    /// </summary>
    private sealed class ComputeJob : ParallelJob
    {
        private Int8Weights? _weights;
        private float* _a;
        private nint _lda;
        private byte* _quantized;
        private long _rowBytes;
        private float* _rowScales;
        private int _m;
        private int _paddedRows;
        private float* _c;
        private nint _ldc;
        private bool _accumulate;
        private Activation _activation;
        private Int8Level _level;
        private int _rowBlock;
        private int _rowBlocks;
        private int _groups;

        // Per row block b: [2b] = rows claimed for quantizing so far, [2b + 1] = rows quantized.
        private int[] _progress = [];

        public void Set(
            Int8Weights weights, float* a, nint lda, byte* quantized, long rowBytes, float* rowScales, int m, int paddedRows,
            float* c, nint ldc, bool accumulate, Activation activation, Int8Level level)
        {
            _weights = weights;
            _a = a;
            _lda = lda;
            _quantized = quantized;
            _rowBytes = rowBytes;
            _rowScales = rowScales;
            _m = m;
            _paddedRows = paddedRows;
            _c = c;
            _ldc = ldc;
            _accumulate = accumulate;
            _activation = activation;
            _level = level;
        }

        public void Clear() => _weights = null;

        /// <summary>Chooses row blocks and panel groups so there are enough equal items to keep every thread busy.</summary>
        public int Plan(int threads)
        {
            int rowBlocks = (_m + MaxRowBlock - 1) / MaxRowBlock;
            int rowBlock = (_m + rowBlocks - 1) / rowBlocks;
            _rowBlock = (rowBlock + MR - 1) / MR * MR;
            _rowBlocks = (_m + _rowBlock - 1) / _rowBlock;
            int panels = _weights!.Panels;
            int groups = 1;
            if (threads > 1)
            {
                // ≥ 8 items per thread, in a multiple of the thread count, never narrower than a panel.
                groups = Math.Clamp(((8 * threads) + _rowBlocks - 1) / _rowBlocks, 1, panels);
                while ((_rowBlocks * groups) % threads != 0 && groups < panels)
                {
                    groups++;
                }
            }

            _groups = groups;
            if (_progress.Length < 2 * _rowBlocks)
            {
                _progress = new int[2 * _rowBlocks];
            }
            else
            {
                Array.Clear(_progress, 0, 2 * _rowBlocks);
            }

            return _rowBlocks * groups;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Execute(int index)
        {
            Int8Weights w = _weights!;
            int group = index % _groups;
            int rowBlockIndex = index / _groups;
            int firstPanel = (int)((long)group * w.Panels / _groups);
            int endPanel = (int)((long)(group + 1) * w.Panels / _groups);
            int row0 = rowBlockIndex * _rowBlock;
            int rowEnd = Math.Min(_m, row0 + _rowBlock);
            EnsureQuantized(rowBlockIndex, row0);
            nint lda = (nint)(Int8LevelInfo.UsesUnsignedBytes(_level) ? _rowBytes : _rowBytes / 2);
            bool vectorized = _level != Int8Level.Scalar;
            int* tile = stackalloc int[MR * NR];
            for (int panel = firstPanel; panel < endPanel; panel++)
            {
                int col0 = panel * NR;
                int columns = Math.Min(NR, w.N - col0);
                sbyte* b = w.Weights + ((long)panel * w.Quads * 64);
                float* bias = w.Bias == null ? null : w.Bias + col0;
                for (int i0 = row0; i0 < rowEnd; i0 += MR)
                {
                    // Rows past m are zero-quantized padding: the kernel reads them, the epilogue writes only real rows.
                    Int8MicroKernels.Run(_level, w.Quads, _quantized + (i0 * _rowBytes), lda, b, w.OffsetCorrection + col0, tile);
                    Epilogue(
                        vectorized, tile, Math.Min(MR, rowEnd - i0), columns, _rowScales + i0, w.Scales + col0, bias,
                        _c + (i0 * _ldc) + col0, _ldc, _accumulate, _activation);
                }
            }
        }

        /// <summary>
        /// Returns once the rows <c>[row0, row0 + rowBlock)</c> (up to the padded row count) are quantized: claims and
        /// quantizes rows of the block until none is left, then waits for rows other threads claimed.
        /// </summary>
        private void EnsureQuantized(int block, int row0)
        {
            int count = Math.Min(_paddedRows, row0 + _rowBlock) - row0;
            ref int quantizedRows = ref _progress[(2 * block) + 1];
            if (Volatile.Read(ref quantizedRows) == count)
            {
                return;
            }

            ref int claimedRows = ref _progress[2 * block];
            int row;
            while ((row = Interlocked.Increment(ref claimedRows) - 1) < count)
            {
                QuantizeRow(row0 + row);
                Interlocked.Increment(ref quantizedRows); // a full fence: the row's values are visible before the count
            }

            var spinner = default(SpinWait);
            while (Volatile.Read(ref quantizedRows) < count)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        /// <summary>Quantizes row <paramref name="index"/> of A and its scale (rows past <c>m</c> become zeros, scale 1).</summary>
        private void QuantizeRow(int index)
        {
            int k = _weights!.K;
            int paddedK = _weights.Quads * 4;
            bool vectorized = _level != Int8Level.Scalar;
            var row = index < _m ? new ReadOnlySpan<float>(_a + (index * _lda), k) : ReadOnlySpan<float>.Empty;
            float scale = Int8Quantization.Scale(row, vectorized);
            _rowScales[index] = scale;
            if (Int8LevelInfo.UsesUnsignedBytes(_level))
            {
                Int8Quantization.QuantizeToOffsetBytes(row, scale, new Span<byte>(_quantized + ((long)index * paddedK), paddedK), vectorized);
            }
            else
            {
                Int8Quantization.QuantizeToInt16(row, scale, new Span<short>((short*)_quantized + ((long)index * paddedK), paddedK), vectorized);
            }
        }
    }
}
