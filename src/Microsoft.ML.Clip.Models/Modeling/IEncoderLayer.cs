using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>One transformer block of an encoder stack.</summary>
internal interface IEncoderLayer
{
    /// <summary>Maps <c>hidden [batch, length, width]</c> to the next hidden states of the same shape.</summary>
    /// <param name="hidden">The input states; not modified.</param>
    /// <param name="mask">The attention masks.</param>
    /// <param name="attentions">When not null on entry, receives the self-attention weights <c>[batch, heads, q, k]</c>.</param>
    /// <param name="output">Null (a new tensor is returned), or a tensor of <paramref name="hidden"/>'s shape, not sharing its
    /// memory, that receives the result and is returned (the encoder passes pooled buffers between layers).</param>
    Tensor Forward(Tensor hidden, EncoderMask mask, List<Tensor>? attentions, Tensor? output = null);

    /// <summary>
    /// Computes only row <c>rows[b]</c> of each sequence <c>b</c> of <see cref="Forward"/>'s output, <c>[batch, width]</c>: the
    /// last layer of a tower whose caller pools one row. The rows feeding keys and values are still normalised and
    /// projected; the query, attention output, residuals, norms and feed-forward run on the kept rows only. Each value is
    /// computed by the same operations in the same order as in <see cref="Forward"/>, so it is bit-identical to that row.
    /// </summary>
    /// <param name="hidden">The input states <c>[batch, length, width]</c>; not modified.</param>
    /// <param name="mask">The attention masks (with a causal mask, row <c>rows[b]</c> sees the rows up to itself).</param>
    /// <param name="rows">One row index per sequence, each in <c>[0, length)</c>.</param>
    Tensor ForwardRows(Tensor hidden, EncoderMask mask, ReadOnlySpan<int> rows);
}
