using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// Collects intermediate tensors of one forward call (the equivalent of <c>transformers</c> forward hooks), for parity
/// tests and debugging. One instance per call, so concurrent calls never share it.
/// </summary>
internal sealed class ForwardTrace
{
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    public void Record(string name, Tensor value) => _tensors[name] = value;
}
