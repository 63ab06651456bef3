using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>Weights read from a checkpoint through a <see cref="StateDict"/> (shape-checked; unused keys reported afterwards).</summary>
public sealed class CheckpointWeights : IWeightSource
{
    /// <summary>Wraps a checkpoint's tensors.</summary>
    /// <param name="store">The checkpoint.</param>
    public CheckpointWeights(ITensorStore store) => StateDict = new StateDict(store);

    /// <summary>The state dict recording which keys were taken.</summary>
    public StateDict StateDict { get; }

    /// <inheritdoc />
    public Tensor Take(string name, WeightRole role, params int[] shape) => StateDict.Take(name, shape);

    /// <summary>
    /// Throws when the checkpoint has keys the model did not take, except the buffers <c>transformers</c> ignores too:
    /// <c>*.position_ids</c>, <c>*.token_type_ids</c> and the unused RoBERTa pooler (<c>*roberta.pooler.*</c>).
    /// </summary>
    public void EnsureAllUsed() => StateDict.EnsureNoUnexpectedKeys(
        n => n.EndsWith(".position_ids", StringComparison.Ordinal),
        n => n.EndsWith(".token_type_ids", StringComparison.Ordinal),
        n => n.Contains("roberta.pooler.", StringComparison.Ordinal));
}
