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
        Span<float> probabilities = default)
    {
        (int batch, int lq, int lk, int heads, int headDim) = shape;
        int width = shape.Width;
        var scores = new float[lk];
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < heads; h++)
            {
                for (int i = 0; i < lq; i++)
                {
                    ReadOnlySpan<float> q = query.Slice((((b * lq) + i) * width) + (h * headDim), headDim);
                    int visible = causal ? Math.Min(i + 1, lk) : lk;
                    bool anyUnmasked = false;
                    for (int j = 0; j < lk; j++)
                    {
                        bool padded = !keyPaddingMask.IsEmpty && keyPaddingMask[(b * lk) + j] == 0f;
                        if (j >= visible)
                        {
                            scores[j] = float.NegativeInfinity;
                        }
                        else if (padded)
                        {
                            scores[j] = float.NaN; // marked: masked by padding only
                        }
                        else
                        {
                            ReadOnlySpan<float> k = key.Slice((((b * lk) + j) * width) + (h * headDim), headDim);
                            scores[j] = scale * System.Numerics.Tensors.TensorPrimitives.Dot(q, k);
                            anyUnmasked = true;
                        }
                    }

                    for (int j = 0; j < lk; j++)
                    {
                        if (float.IsNaN(scores[j]))
                        {
                            scores[j] = anyUnmasked ? float.NegativeInfinity : 0f;
                        }
                    }

                    Softmax.Rows(scores, 1, lk);
                    if (!probabilities.IsEmpty)
                    {
                        scores.CopyTo(probabilities.Slice((((b * heads) + h) * lq + i) * lk, lk));
                    }

                    Span<float> o = output.Slice((((b * lq) + i) * width) + (h * headDim), headDim);
                    o.Clear();
                    for (int j = 0; j < lk; j++)
                    {
                        if (scores[j] != 0f)
                        {
                            ReadOnlySpan<float> v = value.Slice((((b * lk) + j) * width) + (h * headDim), headDim);
                            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(v, scores[j], o, o);
                        }
                    }
                }
            }
        }
    }
}
