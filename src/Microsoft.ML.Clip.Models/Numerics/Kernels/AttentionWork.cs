using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>One attention call, by raw pointers; <see cref="Execute"/> computes one work item of (batch, head) pairs.</summary>
internal unsafe struct AttentionWork
{
    public float* Query;
    public float* Key;
    public float* Value;
    public float* Output;
    public float* Mask;
    public float* Probabilities;

    /// <summary>Null (query <c>i</c> is at key position <c>i</c>), or <c>[batch, lq]</c> key positions for the causal rule.</summary>
    public int* QueryPositions;
    public AttentionShape Shape;
    public float Scale;
    public bool Causal;
    public SimdLevel Level;

    /// <summary>Use <see cref="AttentionKernels"/> (set when they serve the shape and level) instead of two GEMM calls.</summary>
    public bool UseKernels;

    /// <summary>The (sequence, head) pairs, <c>batch·heads</c>.</summary>
    public int Pairs;

    /// <summary>Consecutive pairs computed by one work item (at least 1).</summary>
    public int PairsPerItem;

    [ThreadStatic]
    private static AlignedBuffer? t_scores;

    [ThreadStatic]
    private static AlignedBuffer? t_keys;

    [ThreadStatic]
    private static AlignedBuffer? t_keep;

    [ThreadStatic]
    private static AlignedBuffer? t_values;

    /// <summary>Whether <see cref="Execute"/> runs the <see cref="AttentionKernels"/> path for <paramref name="shape"/> on <paramref name="level"/>.</summary>
    public static bool KernelsServe(SimdLevel level, AttentionShape shape) =>
        AttentionKernels.Supports(level, shape.HeadDim) && shape.KeyLength > 0;

    /// <summary>
    /// Computes work item <paramref name="item"/>: pairs <c>item·PairsPerItem …</c> (at most <see cref="PairsPerItem"/>), where
    /// pair <c>b·heads + h</c> is head <c>h</c> of sequence <c>b</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Execute(int item)
    {
        int first = item * PairsPerItem;
        int end = Math.Min(Pairs, first + PairsPerItem);
        if (UseKernels)
        {
            ExecuteKernels(first, end);
        }
        else
        {
            for (int pair = first; pair < end; pair++)
            {
                ExecuteGemm(pair);
            }
        }
    }

    /// <summary>
    /// The <see cref="AttentionKernels"/> path for pairs <paramref name="first"/> … <paramref name="end"/>−1: per pair,
    /// <c>K_hᵀ</c> into this thread's <c>[64, lk']</c> scratch (<c>lk'</c> = lk rounded up to 16), <c>S = Q_h·K_hᵀ</c> into its
    /// <c>[lq, lk']</c> scratch, each row weighed as on the GEMM path, V_h packed into <c>[lk, 64]</c>, then <c>O_h = P·V_h</c>
    /// straight into the output columns. Bit-for-bit the results of <see cref="ExecuteGemm"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly void ExecuteKernels(int first, int end)
    {
        (_, int lq, int lk, int heads, int headDim) = Shape;
        nint width = Shape.Width;
        int padded = AttentionKernels.PaddedKeys(lk);
        float* keys = AlignedBuffer.Ensure(ref t_keys, (long)AttentionKernels.HeadDim * padded).Pointer;
        float* scores = AlignedBuffer.Ensure(ref t_scores, (long)lq * padded).Pointer;
        float* values = AlignedBuffer.Ensure(ref t_values, (long)lk * AttentionKernels.HeadDim).Pointer;
        float* keep = Mask == null ? null : AlignedBuffer.Ensure(ref t_keep, padded).Pointer;
        int keepFor = -1;
        for (int pair = first; pair < end; pair++)
        {
            int b = pair / heads;
            int h = pair % heads;
            float* q = Query + (b * lq * width) + (h * headDim);
            float* k = Key + (b * lk * width) + (h * headDim);
            float* v = Value + (b * lk * width) + (h * headDim);
            float* o = Output + (b * lq * width) + (h * headDim);

            AttentionKernels.TransposeKeys(k, width, lk, keys);
            AttentionKernels.Scores(q, width, lq, keys, lk, scores);

            // The sequence's padding mask, padded like the score rows, for whole-vector masking.
            if (keep != null && keepFor != b)
            {
                new ReadOnlySpan<float>(Mask + ((long)b * lk), lk).CopyTo(new Span<float>(keep, lk));
                new Span<float>(keep + lk, padded - lk).Fill(1f);
                keepFor = b;
            }

            for (int i = 0; i < lq; i++)
            {
                float* row = scores + ((long)i * padded);
                AttentionRowWeights.Weigh(row, lk, Visible(b, i), keep, Scale);
                if (Probabilities != null)
                {
                    new ReadOnlySpan<float>(row, lk).CopyTo(new Span<float>(Probabilities + ((((long)b * heads) + h) * lq * lk) + ((long)i * lk), lk));
                }
            }

            AttentionKernels.PackValues(v, width, lk, values);
            AttentionKernels.Weighted(scores, padded, lq, lk, values, o, width);
        }
    }

    /// <summary>The keys query <paramref name="i"/> of sequence <paramref name="b"/> may see: all, or those up to its position when causal.</summary>
    private readonly int Visible(int b, int i)
    {
        (_, int lq, int lk, _, _) = Shape;
        int position = QueryPositions == null ? i : QueryPositions[((long)b * lq) + i];
        return Causal ? Math.Min(position + 1, lk) : lk;
    }

    /// <summary>
    /// The GEMM path (the reference for <see cref="ExecuteKernels"/>, and every other head width and level):
    /// <c>S = Q_h·K_hᵀ</c> into this thread's <c>[lq, lk]</c> scratch, scale and mask each row, softmax, then
    /// <c>O_h = P·V_h</c> straight into the output columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly void ExecuteGemm(int item)
    {
        (int batch, int lq, int lk, int heads, int headDim) = Shape;
        int b = item / heads;
        int h = item % heads;
        nint width = Shape.Width;
        float* q = Query + (b * lq * width) + (h * headDim);
        float* k = Key + (b * lk * width) + (h * headDim);
        float* v = Value + (b * lk * width) + (h * headDim);
        float* o = Output + (b * lq * width) + (h * headDim);
        float* scores = AlignedBuffer.Ensure(ref t_scores, Math.Max(1, (long)lq * lk)).Pointer;

        // S[lq, lk] = Q_h[lq, d] · K_h[lk, d]ᵀ, one thread.
        Gemm.Multiply(q, width, 0, k, width, 0, true, scores, lk, 0, 1, lq, headDim, lk, false, Level, 1);

        WeighRows(scores, b, h);

        // O_h[lq, d] = P[lq, lk] · V_h[lk, d], written into the head's columns of the output rows.
        Gemm.Multiply(scores, lk, 0, v, width, 0, false, o, width, 0, 1, lq, lk, headDim, false, Level, 1);
    }

    /// <summary>
    /// Turns the raw scores of head <paramref name="h"/> of sequence <paramref name="b"/> (<c>[lq, lk]</c>) into attention
    /// weights, copying them out when they are requested. (<see cref="AttentionRowWeights"/> computes the same bits on the
    /// kernel path.)
    /// </summary>
    private readonly void WeighRows(float* scores, int b, int h)
    {
        (_, int lq, int lk, int heads, _) = Shape;
        float* mask = Mask == null ? null : Mask + ((long)b * lk);
        for (int i = 0; i < lq; i++)
        {
            var row = new Span<float>(scores + ((long)i * lk), lk);
            WeighRow(row, Visible(b, i), mask);
            if (Probabilities != null)
            {
                row.CopyTo(new Span<float>(Probabilities + ((((long)b * heads) + h) * lq * lk) + ((long)i * lk), lk));
            }
        }
    }

    /// <summary>
    /// Turns one row of raw scores into attention weights: keys past <paramref name="visible"/> (causal) and padded keys get
    /// exactly 0; the others <c>softmax(scale·s)</c>. If every visible key is padded, the row is uniform over the visible
    /// keys — what adding <c>float.MinValue</c> to every one of them yields in <c>transformers</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly void WeighRow(Span<float> row, int visible, float* mask)
    {
        Span<float> seen = row[..visible];
        bool anyKept = mask == null && visible > 0;
        if (mask != null)
        {
            for (int j = 0; j < visible; j++)
            {
                if (mask[j] == 0f)
                {
                    row[j] = float.NegativeInfinity;
                }
                else
                {
                    anyKept = true;
                }
            }
        }

        if (anyKept)
        {
            Softmax.Row(seen, Scale, Avx512F.IsSupported); // softmax(scale·s), the scale folded into the exponent
        }
        else
        {
            seen.Fill(1f / visible);
        }

        row[visible..].Clear();
    }
}
