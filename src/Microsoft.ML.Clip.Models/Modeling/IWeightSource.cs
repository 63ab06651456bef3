using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>Where a model's weights come from while it is built: a checkpoint, or a random initialiser.</summary>
public interface IWeightSource
{
    /// <summary>Returns the weight named <paramref name="name"/> (a <c>transformers</c> state-dict key) of the given shape.</summary>
    /// <param name="name">The state-dict key.</param>
    /// <param name="role">What the weight is for.</param>
    /// <param name="shape">The expected dimensions.</param>
    Tensor Take(string name, WeightRole role, params int[] shape);
}
