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
}
