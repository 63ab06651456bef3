using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>One transformer block of an encoder stack.</summary>
internal interface IEncoderLayer
{
    /// <summary>Maps <c>hidden [batch, length, width]</c> to the next hidden states of the same shape.</summary>
    /// <param name="hidden">The input states; not modified.</param>
    /// <param name="mask">The attention masks.</param>
    /// <param name="attentions">When not null on entry, receives the self-attention weights <c>[batch, heads, q, k]</c>.</param>
    Tensor Forward(Tensor hidden, EncoderMask mask, List<Tensor>? attentions);
}
