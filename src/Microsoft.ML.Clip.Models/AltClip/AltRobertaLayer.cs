using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.AltClip;

/// <summary>
/// One post-LN BERT/XLM-R block (<c>AltRobertaLayer</c>): <c>h = LayerNorm(dense(attention(h)) + h)</c>;
/// <c>h = LayerNorm(dense(act(intermediate(h))) + h)</c>, with bidirectional attention under the padding mask.
/// </summary>
internal sealed class AltRobertaLayer : IEncoderLayer
{
    private readonly Linear _query;
    private readonly Linear _key;
    private readonly Linear _value;
    private readonly Linear _attentionOutput;
    private readonly LayerNorm _attentionLayerNorm;
    private readonly Linear _intermediate;
    private readonly Linear _output;
    private readonly LayerNorm _outputLayerNorm;
    private readonly Activation _activation;
    private readonly int _heads;

    public AltRobertaLayer(WeightScope weights, AltClipTextConfig config, Activation activation)
    {
        int d = config.HiddenSize, i = config.IntermediateSize;
        WeightScope attention = weights["attention"];
        _query = attention["self"]["query"].Linear(d, d);
        _key = attention["self"]["key"].Linear(d, d);
        _value = attention["self"]["value"].Linear(d, d);
        _attentionOutput = attention["output"]["dense"].AttentionOutputLinear(d, d);
        _attentionLayerNorm = attention["output"]["LayerNorm"].LayerNorm(d, config.LayerNormEps);
        _intermediate = weights["intermediate"]["dense"].Linear(d, i);
        _output = weights["output"]["dense"].Linear(i, d);
        _outputLayerNorm = weights["output"]["LayerNorm"].LayerNorm(d, config.LayerNormEps);
        _activation = activation;
        _heads = config.NumAttentionHeads;
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor hidden, EncoderMask mask, List<Tensor>? attentions, Tensor? output = null)
    {
        int batch = hidden.Dim(0), length = hidden.Dim(1), d = hidden.Dim(2);
        Tensor result = EncoderOutputBuffer.For(output, batch, length, d); // written whole by the output dense layer
        Forward(hidden, hidden.Span, length, default, mask, attentions, result.Span);
        return result;
    }

    /// <inheritdoc />
    public Tensor ForwardRows(Tensor hidden, EncoderMask mask, ReadOnlySpan<int> rows)
    {
        int batch = hidden.Dim(0), d = hidden.Dim(2);
        using var kept = ScratchTensor.Rent(batch, d);
        TensorOps.SelectTokens(hidden, rows, kept.Span);
        var result = new Tensor(batch, d);
        Forward(hidden, kept.Span, 1, rows, mask, null, result.Span);
        return result;
    }

    /// <summary>
    /// The block for <paramref name="queryLength"/> rows per sequence, <paramref name="queries"/> <c>[batch, queryLength, d]</c>
    /// (all of <paramref name="hidden"/>, or the rows at <paramref name="queryPositions"/>), attending over every row of
    /// <c>hidden [batch, length, d]</c>; <paramref name="result"/> receives <c>[batch, queryLength, d]</c>.
    /// </summary>
    private void Forward(
        Tensor hidden, ReadOnlySpan<float> queries, int queryLength, ReadOnlySpan<int> queryPositions, EncoderMask mask, List<Tensor>? attentions, Span<float> result)
    {
        // Only the result is the caller's; the temporaries are pooled.
        int batch = hidden.Dim(0), length = hidden.Dim(1), d = hidden.Dim(2), rows = batch * length, queryRows = batch * queryLength;
        using var attended = ScratchTensor.Rent(batch, queryLength, d);
        using (var q = ScratchTensor.Rent(batch, queryLength, d))
        using (var k = ScratchTensor.Rent(batch, length, d))
        using (var v = ScratchTensor.Rent(batch, length, d))
        using (var context = ScratchTensor.Rent(batch, queryLength, d))
        {
            _query.Forward(queries, q.Span, queryRows);
            _key.Forward(hidden.Span, k.Span, rows);
            _value.Forward(hidden.Span, v.Span, rows);
            var shape = new AttentionShape(batch, queryLength, length, _heads, d / _heads);
            Tensor? weights = attentions is null ? null : new Tensor(batch, _heads, queryLength, length);

            // softmax(q·kᵀ / √head_dim + padding mask)·v
            Attention.Forward(q.Span, k.Span, v.Span, context.Span, shape, 1f / MathF.Sqrt(shape.HeadDim), mask.Padding, causal: false,
                probabilities: weights is null ? default : weights.Span, queryPositions: queryPositions);
            if (weights is not null)
            {
                attentions!.Add(weights);
            }

            // attention.output: LayerNorm(dense(context) + hidden)
            _attentionOutput.Forward(context.Span, attended.Span, queryRows);
        }

        // attended = LayerNorm(attended + queries), one pass over the rows, in place.
        int threads = NumericsOptions.MaxDegreeOfParallelism;
        _attentionLayerNorm.AddAndForward(attended.Span, queries, attended.Span, attended.Span, queryRows, queryRows, queryRows, threads);

        // intermediate + output: LayerNorm(dense(gelu(dense(attended))) + attended)
        using (var intermediate = ScratchTensor.Rent(queryRows, _intermediate.OutFeatures))
        {
            _intermediate.Forward(attended.Span, intermediate.Span, queryRows, _activation);
            _output.Forward(intermediate.Span, result, queryRows);
        }

        _outputLayerNorm.AddAndForward(result, attended.Span, result, result, queryRows, queryRows, queryRows, threads);
    }
}
