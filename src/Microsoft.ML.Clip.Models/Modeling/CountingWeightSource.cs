using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>Passes weights through from another source, counting the parameters taken.</summary>
internal sealed class CountingWeightSource : IWeightSource
{
    private readonly IWeightSource _inner;

    public CountingWeightSource(IWeightSource inner) => _inner = inner;

    public long Total { get; private set; }

    public Tensor Take(string name, WeightRole role, params int[] shape)
    {
        Tensor tensor = _inner.Take(name, role, shape);
        Total += tensor.Length;
        return tensor;
    }
}
