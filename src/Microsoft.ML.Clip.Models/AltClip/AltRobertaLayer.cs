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
        // hidden: [batch, length, d]; only the returned output is allocated, the temporaries are pooled.
        int batch = hidden.Dim(0), length = hidden.Dim(1), d = hidden.Dim(2), rows = batch * length;
        using var attended = ScratchTensor.Rent(batch, length, d);
        using (var q = ScratchTensor.Rent(batch, length, d))
        using (var k = ScratchTensor.Rent(batch, length, d))
        using (var v = ScratchTensor.Rent(batch, length, d))
        using (var context = ScratchTensor.Rent(batch, length, d))
        {
            _query.Forward(hidden.Span, q.Span, rows);
            _key.Forward(hidden.Span, k.Span, rows);
            _value.Forward(hidden.Span, v.Span, rows);
            var shape = new AttentionShape(batch, length, length, _heads, d / _heads);
            Tensor? weights = attentions is null ? null : new Tensor(batch, _heads, length, length);

            // softmax(q·kᵀ / √head_dim + padding mask)·v
            Attention.Forward(q.Span, k.Span, v.Span, context.Span, shape, 1f / MathF.Sqrt(shape.HeadDim), mask.Padding, causal: false,
                probabilities: weights is null ? default : weights.Span);
            if (weights is not null)
            {
                attentions!.Add(weights);
            }

            // attention.output: LayerNorm(dense(context) + hidden)
            _attentionOutput.Forward(context.Span, attended.Span, rows);
        }

        // attended = LayerNorm(attended + hidden), one pass over the rows, in place.
        _attentionLayerNorm.AddAndForward(attended.Span, hidden.Span, attended.Span, attended.Span, rows, rows, rows, NumericsOptions.MaxDegreeOfParallelism);

        // intermediate + output: LayerNorm(dense(gelu(dense(attended))) + attended)
        Tensor result = EncoderOutputBuffer.For(output, batch, length, d); // written whole by the output dense layer
        using (var intermediate = ScratchTensor.Rent(rows, _intermediate.OutFeatures))
        {
            _intermediate.Forward(attended.Span, intermediate.Span, rows, _activation);
            _output.Forward(intermediate.Span, result.Span, rows);
        }

        _outputLayerNorm.AddAndForward(result.Span, attended.Span, result.Span, result.Span, rows, rows, rows, NumericsOptions.MaxDegreeOfParallelism);
        return result;
    }
}
