using System.Runtime.CompilerServices;
using static Microsoft.ML.Clip.Numerics.Kernels.GemmMicroKernels;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// One (batched) product <c>C[b] (+)= A[b]·B[b] (+ bias, activation)</c> with B already packed, described by raw pointers
/// (the caller keeps the memory pinned until <see cref="GemmDriver.Run"/> returns).
/// </summary>
internal unsafe struct GemmProblem
{
    public float* A;
    public nint Lda;
    public nint BatchStrideA;
    public float* PackedB;
    public nint BatchStrideB;
    public float* C;
    public nint Ldc;
    public nint BatchStrideC;
    public int Batch;
    public int M;
    public int N;
    public int K;
    public bool Accumulate;

    /// <summary>Null, or <c>⌈n/64⌉·64</c> bias values (zero-padded) added after the last reduction block.</summary>
    public float* Bias;
    public Activation Activation;
    public SimdLevel Level;

    // The work split (set by GemmDriver.Plan): items are (batch, row block, panel group).
    internal int RowBlock;
    internal int RowBlocks;
    internal int PanelGroups;
    internal int Items;
    internal int Threads;
}

/// <summary>
/// The cache-blocked GEMM loops. Work is split over output blocks only — never over the <c>k</c> reduction — so each C
/// element is computed by one thread, in the same order, whatever the number of threads.
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>Largest reduction block: a packed B block (<c>KC·64·4</c> = 128 KiB) and a row block of A (<c>MC·KC·4</c> = 240 KiB) share L2.</summary>
    internal const int KC = 512;

    /// <summary>Largest row block: <c>MC·KC</c> floats of A stay in L2 while the panels of a group stream past them.</summary>
    private const int MaxRowBlock = 120;

    /// <summary>The least work worth handing to another thread.</summary>
    internal const double MinFlopsPerThread = 1 << 20;

    [ThreadStatic]
    private static AlignedBuffer? t_edgeA;

    [ThreadStatic]
    private static AlignedBuffer? t_edgeC;

    [ThreadStatic]
    private static ComputeJob? t_job;

    /// <summary>Computes the product on up to <paramref name="maxThreads"/> threads.</summary>
    public static void Run(ref GemmProblem problem, int maxThreads)
    {
        if (problem.M == 0 || problem.N == 0 || problem.Batch == 0)
        {
            return;
        }

        if (problem.K == 0)
        {
            RunEmptyReduction(ref problem);
            return;
        }

        // Waking a worker costs microseconds: give each thread at least ~1 MFLOP (the split never changes results).
        double flops = 2.0 * problem.Batch * problem.M * problem.N * problem.K;
        maxThreads = (int)Math.Clamp(flops / MinFlopsPerThread, 1, Math.Max(1, maxThreads));
        int items = Plan(ref problem, maxThreads);
        if (maxThreads <= 1 || items == 1)
        {
            for (int i = 0; i < items; i++)
            {
                Execute(ref problem, i);
            }

            return;
        }

        ComputeJob job = t_job ??= new ComputeJob();
        job.Problem = problem;
        WorkerPool.Run(job, items, maxThreads);
    }

    /// <summary>Chooses row blocks and panel groups so there are enough equal items to keep every thread busy.</summary>
    private static int Plan(ref GemmProblem problem, int maxThreads)
    {
        int m = problem.M;
        int rowBlocks = (m + MaxRowBlock - 1) / MaxRowBlock;
        int rowBlock = (m + rowBlocks - 1) / rowBlocks;
        rowBlock = (rowBlock + MR - 1) / MR * MR;
        rowBlocks = (m + rowBlock - 1) / rowBlock;

        int panels = GemmPacking.Panels(problem.N);
        int outer = problem.Batch * rowBlocks;
        int threads = Math.Max(1, maxThreads);
        int groups = 1;
        if (threads > 1)
        {
            // Aim for ≥ 8 items per thread (so a descheduled thread holds back at most a small item), in a multiple of the
            // thread count, without making groups narrower than a panel.
            groups = Math.Clamp(((8 * threads) + outer - 1) / outer, 1, panels);
            while ((outer * groups) % threads != 0 && groups < panels)
            {
                groups++;
            }
        }

        problem.RowBlock = rowBlock;
        problem.RowBlocks = rowBlocks;
        problem.PanelGroups = groups;
        problem.Items = outer * groups;
        problem.Threads = threads;
        return outer * groups;
    }

    /// <summary>Computes item <paramref name="item"/>: one row block of one batch entry against one group of panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Execute(ref GemmProblem problem, int item)
    {
        int groups = problem.PanelGroups;
        int group = item % groups;
        int rest = item / groups;
        int rowBlockIndex = rest % problem.RowBlocks;
        int batch = rest / problem.RowBlocks;

        int panels = GemmPacking.Panels(problem.N);
        int firstPanel = (int)((long)group * panels / groups);
        int endPanel = (int)((long)(group + 1) * panels / groups);
        int row0 = rowBlockIndex * problem.RowBlock;
        int rowEnd = Math.Min(problem.M, row0 + problem.RowBlock);

        float* a = problem.A + (batch * problem.BatchStrideA);
        float* b = problem.PackedB + (batch * problem.BatchStrideB);
        float* c = problem.C + (batch * problem.BatchStrideC);
        int k = problem.K;
        nint lda = problem.Lda;
        nint ldc = problem.Ldc;
        SimdLevel level = problem.Level;

        // Equal reduction blocks of at most KC (768 → two of 384, 1024 → two of 512, 3072 → six of 512): no short tail block.
        int tiles = (rowEnd - row0 + MR - 1) / MR;
        bool rowKernels = GemmRowKernels.Supports(level);
        int blocks = (k + KC - 1) / KC;
        int blockDepth = (k + blocks - 1) / blocks;
        for (int pc = 0; pc < k; pc += blockDepth)
        {
            int kc = Math.Min(blockDepth, k - pc);
            bool last = pc + kc == k;
            bool load = problem.Accumulate || pc > 0;
            for (int panel = firstPanel; panel < endPanel; panel++)
            {
                int col0 = panel * NR;
                int nr = Math.Min(NR, problem.N - col0);
                float* bPanel = b + ((long)panel * k * NR) + ((long)pc * NR);
                float* bias = last && problem.Bias != null ? problem.Bias + col0 : null;

                // A weight streams from DRAM once per call. While the row tiles reuse this block of B from L2, they bring the
                // item's next block ([kc, 64] floats) into cache: each tile prefetches `step` floats further per k step (at
                // most a cache line), tile t from float t·kc·step on, so the ⌈rows/6⌉ tiles together cover the block.
                float* next = panel + 1 < endPanel ? bPanel + ((long)k * NR)
                    : pc + kc < k ? b + ((long)firstPanel * k * NR) + ((long)(pc + kc) * NR)
                    : FirstBlockOf(ref problem, item + problem.Threads);
                int step = next == null ? 0 : Math.Min(16, (NR + tiles - 1) / tiles);
                float* prefetch = next;
                for (int i0 = row0; i0 < rowEnd; i0 += MR)
                {
                    int mr = Math.Min(MR, rowEnd - i0);
                    float* aTile = a + (i0 * lda) + pc;
                    float* cTile = c + (i0 * ldc) + col0;
                    if (mr == MR && nr == NR)
                    {
                        GemmMicroKernels.Run(level, kc, aTile, lda, bPanel, cTile, ldc, load, bias, NR, prefetch, step);
                        prefetch += (long)kc * step;
                    }
                    else if (nr == NR && rowKernels)
                    {
                        GemmRowKernels.Run(level, mr, kc, aTile, lda, bPanel, cTile, ldc, load, bias, prefetch, step);
                    }
                    else
                    {
                        EdgeTile(level, kc, aTile, lda, mr, bPanel, cTile, ldc, nr, load, bias);
                    }

                    if (last && problem.Activation != Activation.None)
                    {
                        for (int r = 0; r < mr; r++)
                        {
                            Activations.Apply(new Span<float>(cTile + (r * ldc), nr), problem.Activation);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The packed B block an item starts with, or null past the last item. Items are handed out in order, so a thread that
    /// finishes item i most likely takes i + threads next: its first block is what to prefetch at the end of item i.
    /// </summary>
    private static float* FirstBlockOf(ref GemmProblem problem, int item)
    {
        if (item >= problem.Items)
        {
            return null;
        }

        int groups = problem.PanelGroups;
        int batch = item / groups / problem.RowBlocks;
        int firstPanel = (int)((long)(item % groups) * GemmPacking.Panels(problem.N) / groups);
        return problem.PackedB + (batch * problem.BatchStrideB) + ((long)firstPanel * problem.K * NR);
    }

    /// <summary>A partial tile (fewer than 6 rows or 64 columns): run the full kernel on zero-padded copies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EdgeTile(SimdLevel level, int kc, float* a, nint lda, int mr, float* b, float* c, nint ldc, int nr, bool load, float* bias)
    {
        float* edgeA = AlignedBuffer.Ensure(ref t_edgeA, MR * KC).Pointer;
        float* edgeC = AlignedBuffer.Ensure(ref t_edgeC, MR * NR).Pointer;
        float* aUsed = a;
        nint ldaUsed = lda;
        if (mr < MR)
        {
            // Rows past the end of A must not be read: copy the rows that exist and zero the others.
            for (int r = 0; r < MR; r++)
            {
                var row = new Span<float>(edgeA + (r * KC), kc);
                if (r < mr)
                {
                    new ReadOnlySpan<float>(a + (r * lda), kc).CopyTo(row);
                }
                else
                {
                    row.Clear();
                }
            }

            aUsed = edgeA;
            ldaUsed = KC;
        }

        if (load)
        {
            for (int r = 0; r < mr; r++)
            {
                new ReadOnlySpan<float>(c + (r * ldc), nr).CopyTo(new Span<float>(edgeC + (r * NR), nr));
            }
        }

        GemmMicroKernels.Run(level, kc, aUsed, ldaUsed, b, edgeC, NR, load, bias, nr);
        for (int r = 0; r < mr; r++)
        {
            new ReadOnlySpan<float>(edgeC + (r * NR), nr).CopyTo(new Span<float>(c + (r * ldc), nr));
        }
    }

    /// <summary><c>k = 0</c>: the product is zero, so C becomes (C or 0) + bias, then the activation.</summary>
    private static void RunEmptyReduction(ref GemmProblem problem)
    {
        for (int batch = 0; batch < problem.Batch; batch++)
        {
            for (int i = 0; i < problem.M; i++)
            {
                var row = new Span<float>(problem.C + (batch * problem.BatchStrideC) + (i * problem.Ldc), problem.N);
                if (!problem.Accumulate)
                {
                    row.Clear();
                }

                if (problem.Bias != null)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(row, new ReadOnlySpan<float>(problem.Bias, problem.N), row);
                }

                Activations.Apply(row, problem.Activation);
            }
        }
    }

    private sealed class ComputeJob : ParallelJob
    {
        public GemmProblem Problem;

        public override void Execute(int index) => GemmDriver.Execute(ref Problem, index);
    }
}
