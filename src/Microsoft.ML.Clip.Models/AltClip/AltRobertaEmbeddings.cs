using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Clip.AltClip;

/// <summary>
/// XLM-RoBERTa embeddings (<c>AltRobertaEmbeddings</c>): word + token-type (row 0) + position embeddings, then LayerNorm.
/// Position ids come from the input ids as RoBERTa computes them: the running count of non-padding tokens offset by
/// <c>pad_token_id</c>, and <c>pad_token_id</c> itself at padding positions.
/// </summary>
internal sealed class AltRobertaEmbeddings
{
    private readonly AltClipTextConfig _config;
    private readonly int _padTokenId;
    private readonly Tensor _wordEmbeddings;
    private readonly Tensor _positionEmbeddings;
    private readonly Tensor _tokenTypeEmbeddings;
    private readonly LayerNorm _layerNorm;

    public AltRobertaEmbeddings(WeightScope weights, AltClipTextConfig config)
    {
        _config = config;
        _padTokenId = config.PadTokenId ?? 1;
        int d = config.HiddenSize;
        _wordEmbeddings = weights["word_embeddings"].Tensor("weight", WeightRole.Embedding, config.VocabSize, d);
        _positionEmbeddings = weights["position_embeddings"].Tensor("weight", WeightRole.Embedding, config.MaxPositionEmbeddings, d);
        _tokenTypeEmbeddings = weights["token_type_embeddings"].Tensor("weight", WeightRole.Embedding, config.TypeVocabSize, d);
        _layerNorm = weights["LayerNorm"].LayerNorm(d, config.LayerNormEps);
    }

    /// <summary><c>create_position_ids_from_input_ids</c>: <c>cumsum(ids ≠ pad)·(ids ≠ pad) + pad</c>, <c>[texts, length]</c>.</summary>
    public long[] PositionIds(TokenBatch tokens)
    {
        var positions = new long[tokens.InputIds.Length];
        for (int b = 0; b < tokens.Batch; b++)
        {
            ReadOnlySpan<long> ids = tokens.Ids(b);
            long count = 0;
            for (int i = 0; i < tokens.Length; i++)
            {
                bool real = ids[i] != _padTokenId;
                count += real ? 1 : 0;
                positions[(b * tokens.Length) + i] = (real ? count : 0) + _padTokenId;
            }
        }

        return positions;
    }

    /// <summary><c>tokens [texts, length]</c> → <c>[texts, length, hidden]</c>.</summary>
    public Tensor Forward(TokenBatch tokens, long[] positionIds)
    {
        int d = _config.HiddenSize;
        var e = new Tensor(tokens.Batch, tokens.Length, d);
        ReadOnlySpan<float> tokenType = _tokenTypeEmbeddings.Span[..d]; // token_type_ids default to 0
        for (int row = 0; row < tokens.InputIds.Length; row++)
        {
            Span<float> target = e.Span.Slice(row * d, d);
            TensorPrimitives.Add(_wordEmbeddings.Span.Slice((int)tokens.InputIds[row] * d, d), tokenType, target);
            TensorPrimitives.Add(target, _positionEmbeddings.Span.Slice((int)positionIds[row] * d, d), target);
        }

        _layerNorm.Forward(e.Span, e.Span, tokens.InputIds.Length);
        return e;
    }
}
