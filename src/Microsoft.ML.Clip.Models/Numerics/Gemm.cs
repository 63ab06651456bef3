using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>
/// General matrix multiplication on row-major float matrices, in the layouts the models need: <c>A·B</c>, <c>A·Bᵀ</c>
/// (B stored <c>[n, k]</c>, as <c>nn.Linear</c> weights and attention keys are) and batches of either.
/// </summary>
/// <remarks>
/// B is packed into 64-column panels (in a buffer reused by the calling thread), then a register-blocked FMA micro-kernel
/// (AVX-512, AVX2, <c>Vector&lt;T&gt;</c> or scalar, chosen at run time) computes 6×64 tiles on up to
/// <see cref="NumericsOptions.MaxDegreeOfParallelism"/> threads. Each output is one fused multiply-add chain over
/// <c>k</c> in order, so results are bit-identical across thread counts and instruction sets. C must not overlap A or B.
/// For a fixed B (a weight), <see cref="Linear"/> packs it once instead of on every call.
/// </remarks>
public static unsafe class Gemm
{
    [ThreadStatic]
    private static AlignedBuffer? t_packedB;

    [ThreadStatic]
    private static GemmPackJob? t_packJob;

    /// <summary><c>C[m,n] (+)= A[m,k] · B[k,n]</c>.</summary>
    /// <param name="a">A, row-major <c>[m, k]</c>.</param>
    /// <param name="b">B, row-major <c>[k, n]</c>.</param>
    /// <param name="c">C, row-major <c>[m, n]</c>.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false) =>
        MatMulBatched(a, b, c, 1, m, k, n, transposeB: false, accumulate);

    /// <summary><c>C[m,n] (+)= A[m,k] · B[n,k]ᵀ</c>: the <c>nn.Linear</c> layout, where B is stored <c>[out, in]</c>.</summary>
    /// <param name="a">A, row-major <c>[m, k]</c>.</param>
    /// <param name="b">B, row-major <c>[n, k]</c>.</param>
    /// <param name="c">C, row-major <c>[m, n]</c>.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A and of B.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void MatMulTransposed(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false) =>
        MatMulBatched(a, b, c, 1, m, k, n, transposeB: true, accumulate);

    /// <summary>
    /// <c>C[i] (+)= A[i] · B[i]</c> (or <c>· B[i]ᵀ</c>) for <c>i = 0 … batch-1</c>, with all matrices contiguous and row-major.
    /// </summary>
    /// <param name="a">A, <c>[batch, m, k]</c>.</param>
    /// <param name="b">B, <c>[batch, k, n]</c>, or <c>[batch, n, k]</c> when <paramref name="transposeB"/> is true.</param>
    /// <param name="c">C, <c>[batch, m, n]</c>.</param>
    /// <param name="batch">The number of products.</param>
    /// <param name="m">Rows of each A and C.</param>
    /// <param name="k">The reduction length.</param>
    /// <param name="n">Columns of each C.</param>
    /// <param name="transposeB">B is stored <c>[n, k]</c> and used transposed.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void MatMulBatched(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int batch, int m, int k, int n, bool transposeB = false, bool accumulate = false) =>
        MatMulBatched(a, b, c, batch, m, k, n, transposeB, accumulate, SimdLevelInfo.Best, NumericsOptions.MaxDegreeOfParallelism);

    /// <summary>The batched product on a chosen instruction-set path and thread count (tests force each path).</summary>
    internal static void MatMulBatched(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int batch, int m, int k, int n, bool transposeB, bool accumulate, SimdLevel level, int maxThreads)
    {
        CheckSizes(a.Length, b.Length, c.Length, batch, m, k, n);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Multiply(
                pa, k, (nint)m * k, pb, transposeB ? k : n, (nint)k * n, transposeB, pc, n, (nint)m * n, batch, m, k, n, accumulate, level, maxThreads);
        }
    }

    /// <summary>
    /// The strided core: <c>C[i] (+)= A[i]·op(B[i])</c> with explicit row strides (<paramref name="lda"/>, <paramref name="ldb"/>,
    /// <paramref name="ldc"/>) and batch strides, so attention can multiply one head's columns in place.
    /// </summary>
    internal static void Multiply(
        float* a, nint lda, nint batchStrideA,
        float* b, nint ldb, nint batchStrideB, bool transposeB,
        float* c, nint ldc, nint batchStrideC,
        int batch, int m, int k, int n, bool accumulate, SimdLevel level, int maxThreads)
    {
        if (batch == 0 || m == 0 || n == 0)
        {
            return;
        }

        long packedLength = GemmPacking.PackedLength(k, n);
        float* packed = AlignedBuffer.Ensure(ref t_packedB, Math.Max(1, packedLength * batch)).Pointer;
        GemmPackJob packJob = t_packJob ??= new GemmPackJob();
        packJob.Set(b, ldb, batchStrideB, transposeB, k, n, packed, packedLength);
        int panels = GemmPacking.Panels(n);

        // Packing is memory-bound and cheap next to the product; spread it only when it is big enough to matter.
        int packThreads = packedLength * batch >= 1 << 16 ? maxThreads : 1;
        WorkerPool.Run(packJob, batch * panels, packThreads);

        var problem = new GemmProblem
        {
            A = a,
            Lda = lda,
            BatchStrideA = batchStrideA,
            PackedB = packed,
            BatchStrideB = (nint)packedLength,
            C = c,
            Ldc = ldc,
            BatchStrideC = batchStrideC,
            Batch = batch,
            M = m,
            N = n,
            K = k,
            Accumulate = accumulate,
            Level = level,
        };
        GemmDriver.Run(ref problem, maxThreads);
    }

    private static void CheckSizes(int aLength, int bLength, int cLength, int batch, int m, int k, int n)
    {
        if (batch < 0 || m < 0 || k < 0 || n < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(m), $"Matrix sizes must be non-negative; got batch={batch}, m={m}, k={k}, n={n}.");
        }

        if (aLength < (long)batch * m * k || bLength < (long)batch * k * n || cLength < (long)batch * m * n)
        {
            string what = batch == 1 ? $"a [{m}, {k}]·[{k}, {n}] product" : $"{batch} [{m}, {k}]·[{k}, {n}] products";
            throw new ArgumentException(
                $"Buffers too small for {what}: A has {aLength} values (needs {(long)batch * m * k}), B {bLength} (needs {(long)batch * k * n}), " +
                $"C {cLength} (needs {(long)batch * m * n}).");
        }
    }
}
