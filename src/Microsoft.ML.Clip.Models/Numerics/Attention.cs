using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>The sizes of one batched multi-head attention call.</summary>
/// <param name="Batch">Independent sequences.</param>
/// <param name="QueryLength">Query tokens per sequence.</param>
/// <param name="KeyLength">Key/value tokens per sequence.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="HeadDim">Width of one head; the model width is <c>Heads·HeadDim</c>.</param>
public readonly record struct AttentionShape(int Batch, int QueryLength, int KeyLength, int Heads, int HeadDim)
{
    /// <summary>The model width, <c>Heads·HeadDim</c>.</summary>
    public int Width => Heads * HeadDim;
}

/// <summary>
/// Scaled dot-product multi-head attention on already projected queries, keys and values:
/// <c>out = softmax(scale·Q·Kᵀ + mask)·V</c> per head.
/// </summary>
public static class Attention
{
    /// <summary>Runs attention for every sequence and head.</summary>
    /// <param name="query">Q, <c>[batch, queryLength, heads·headDim]</c> (heads side by side, as after <c>q_proj</c>).</param>
    /// <param name="key">K, <c>[batch, keyLength, heads·headDim]</c>.</param>
    /// <param name="value">V, <c>[batch, keyLength, heads·headDim]</c>.</param>
    /// <param name="output">The result, <c>[batch, queryLength, heads·headDim]</c>.</param>
    /// <param name="shape">The sizes.</param>
    /// <param name="scale">The factor applied to Q·Kᵀ (1 if Q was already scaled).</param>
    /// <param name="keyPaddingMask">Empty, or <c>[batch, keyLength]</c> with 1 for keys to attend to and 0 for padding.</param>
    /// <param name="causal">When true, query <c>i</c> attends only to keys <c>j ≤ i</c>.</param>
    /// <param name="probabilities">Empty, or <c>[batch, heads, queryLength, keyLength]</c> to receive the attention weights.</param>
    /// <remarks>
    /// Masked keys get exactly zero weight, as adding <c>float.MinValue</c> does in <c>transformers</c>. A query row whose
    /// keys are all masked gets uniform weights over the keys that causality allows (what the additive mask yields).
    /// (batch, head) pairs run in parallel on up to <see cref="NumericsOptions.MaxDegreeOfParallelism"/> threads; each
    /// thread holds one head's <c>[queryLength, keyLength]</c> score matrix at a time. 64-wide heads on AVX-512 run dedicated
    /// register-tiled kernels, other widths the GEMM kernels; both form every sum as the same fused multiply-add chain, so
    /// results do not depend on the thread count or the path. <paramref name="output"/> must not overlap the inputs.
    /// </remarks>
    public static void Forward(
        ReadOnlySpan<float> query,
        ReadOnlySpan<float> key,
        ReadOnlySpan<float> value,
        Span<float> output,
        AttentionShape shape,
        float scale,
        ReadOnlySpan<float> keyPaddingMask = default,
        bool causal = false,
        Span<float> probabilities = default) =>
        Forward(query, key, value, output, shape, scale, keyPaddingMask, causal, probabilities, SimdLevelInfo.Best, NumericsOptions.MaxDegreeOfParallelism);

    /// <summary>
    /// Runs attention for queries that are some rows of a longer sequence: as
    /// <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, AttentionShape, float, ReadOnlySpan{float}, bool, Span{float})"/>,
    /// with the key position of each query given for the causal rule.
    /// </summary>
    /// <param name="query">Q, <c>[batch, queryLength, heads·headDim]</c>.</param>
    /// <param name="key">K, <c>[batch, keyLength, heads·headDim]</c>.</param>
    /// <param name="value">V, <c>[batch, keyLength, heads·headDim]</c>.</param>
    /// <param name="output">The result, <c>[batch, queryLength, heads·headDim]</c>.</param>
    /// <param name="shape">The sizes.</param>
    /// <param name="scale">The factor applied to Q·Kᵀ.</param>
    /// <param name="keyPaddingMask">Empty, or <c>[batch, keyLength]</c> with 1 for keys to attend to and 0 for padding.</param>
    /// <param name="causal">When true, a query at key position <c>p</c> attends only to keys <c>j ≤ p</c>.</param>
    /// <param name="probabilities">Empty, or <c>[batch, heads, queryLength, keyLength]</c> to receive the attention weights.</param>
    /// <param name="queryPositions">Empty (query <c>i</c> sits at key position <c>i</c>), or <c>[batch, queryLength]</c>: the key
    /// position of each query. It lets a caller compute a few rows of a causal self-attention — e.g. only each sequence's
    /// last token — with the keys of all.</param>
    /// <exception cref="ArgumentException">A size does not match <paramref name="shape"/>, or a query position is outside the keys.</exception>
    public static void Forward(
        ReadOnlySpan<float> query,
        ReadOnlySpan<float> key,
        ReadOnlySpan<float> value,
        Span<float> output,
        AttentionShape shape,
        float scale,
        ReadOnlySpan<float> keyPaddingMask,
        bool causal,
        Span<float> probabilities,
        ReadOnlySpan<int> queryPositions) =>
        Forward(query, key, value, output, shape, scale, keyPaddingMask, causal, probabilities, SimdLevelInfo.Best, NumericsOptions.MaxDegreeOfParallelism, queryPositions);

    /// <summary>Attention on a chosen instruction-set path, thread count and implementation (tests force each).</summary>
    internal static unsafe void Forward(
        ReadOnlySpan<float> query,
        ReadOnlySpan<float> key,
        ReadOnlySpan<float> value,
        Span<float> output,
        AttentionShape shape,
        float scale,
        ReadOnlySpan<float> keyPaddingMask,
        bool causal,
        Span<float> probabilities,
        SimdLevel level,
        int maxThreads,
        ReadOnlySpan<int> queryPositions = default,
        AttentionPath path = AttentionPath.Best)
    {
        CheckSizes(query.Length, key.Length, value.Length, output.Length, shape, keyPaddingMask.Length, probabilities.Length);
        CheckPositions(queryPositions, shape);
        if (shape.Batch == 0 || shape.Heads == 0 || shape.QueryLength == 0)
        {
            return;
        }

        fixed (int* positions = queryPositions)
        fixed (float* q = query)
        fixed (float* k = key)
        fixed (float* v = value)
        fixed (float* o = output)
        fixed (float* mask = keyPaddingMask)
        fixed (float* probs = probabilities)
        {
            var work = new AttentionWork
            {
                Query = q,
                Key = k,
                Value = v,
                Output = o,
                Mask = keyPaddingMask.IsEmpty ? null : mask,
                Probabilities = probabilities.IsEmpty ? null : probs,
                QueryPositions = queryPositions.IsEmpty ? null : positions,
                Shape = shape,
                Scale = scale,
                Causal = causal,
                Level = level,
                UseKernels = path == AttentionPath.Best && AttentionWork.KernelsServe(level, shape),
            };
            int pairs = shape.Batch * shape.Heads;
            double pairFlops = 4.0 * shape.QueryLength * shape.KeyLength * shape.HeadDim;
            double flops = pairs * pairFlops;
            work.Pairs = pairs;
            work.PairsPerItem = work.UseKernels ? PairsPerItem(pairs, pairFlops, maxThreads) : 1;
            int items = (pairs + work.PairsPerItem - 1) / work.PairsPerItem;
            if (maxThreads <= 1 || items == 1 || flops < GemmDriver.MinFlopsPerThread)
            {
                for (int i = 0; i < items; i++)
                {
                    work.Execute(i);
                }
            }
            else
            {
                AttentionJob job = t_job ??= new AttentionJob();
                job.Work = work;
                WorkerPool.Run(job, items, maxThreads);
            }
        }
    }

    [ThreadStatic]
    private static AttentionJob? t_job;

    /// <summary>
    /// How many (sequence, head) pairs one work item computes: a text head of 16 tokens takes well under a microsecond on
    /// the kernel path, less than handing it to a thread costs, so small heads go in groups of about
    /// <see cref="ItemFlops"/> — while leaving at least 8 items a thread, so a descheduled thread holds back little.
    /// </summary>
    private static int PairsPerItem(int pairs, double pairFlops, int maxThreads)
    {
        int grouped = (int)Math.Clamp(ItemFlops / Math.Max(1, pairFlops), 1, 64);
        int balanced = Math.Max(1, pairs / (8 * Math.Max(1, maxThreads)));
        return Math.Min(grouped, balanced);
    }

    /// <summary>The least work per item worth grouping small heads up to (≈ 1–2 µs on the kernel path).</summary>
    private const double ItemFlops = 1 << 18;

    private static void CheckSizes(int query, int key, int value, int output, AttentionShape shape, int mask, int probabilities)
    {
        (int batch, int lq, int lk, int heads, int headDim) = shape;
        if (batch < 0 || lq < 0 || lk < 0 || heads < 0 || headDim < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), $"Attention sizes must be non-negative; got {shape}.");
        }

        long width = (long)heads * headDim;
        void Check(string name, int actual, long expected)
        {
            if (actual < expected)
            {
                throw new ArgumentException($"Attention {shape}: {name} has {actual} values but needs {expected}.", name);
            }
        }

        Check("query", query, batch * lq * width);
        Check("key", key, batch * lk * width);
        Check("value", value, batch * lk * width);
        Check("output", output, batch * lq * width);
        if (mask != 0)
        {
            Check("keyPaddingMask", mask, (long)batch * lk);
        }

        if (probabilities != 0)
        {
            Check("probabilities", probabilities, (long)batch * heads * lq * lk);
        }
    }

    private static void CheckPositions(ReadOnlySpan<int> positions, AttentionShape shape)
    {
        if (positions.IsEmpty)
        {
            return;
        }

        long expected = (long)shape.Batch * shape.QueryLength;
        if (positions.Length != expected)
        {
            throw new ArgumentException(
                $"Attention {shape}: queryPositions has {positions.Length} values but needs one per query, {expected}.", "queryPositions");
        }

        for (int i = 0; i < positions.Length; i++)
        {
            if ((uint)positions[i] >= (uint)shape.KeyLength)
            {
                throw new ArgumentException(
                    $"Attention {shape}: queryPositions[{i}] is {positions[i]}, outside the key positions [0, {shape.KeyLength}).", "queryPositions");
            }
        }
    }

    private sealed class AttentionJob : ParallelJob
    {
        public AttentionWork Work;

        public override void Execute(int index) => Work.Execute(index);
    }
}
