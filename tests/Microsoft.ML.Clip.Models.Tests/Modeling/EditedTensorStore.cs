using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Tests.Modeling;

/// <summary>A checkpoint seen through edits: extra tensors added, some hidden, some replaced (to test loading errors).</summary>
internal sealed class EditedTensorStore : ITensorStore
{
    private readonly ITensorStore _inner;
    private readonly Dictionary<string, Tensor> _added = new(StringComparer.Ordinal);
    private readonly HashSet<string> _hidden = new(StringComparer.Ordinal);

    public EditedTensorStore(ITensorStore inner) => _inner = inner;

    public string Source => "edited:" + _inner.Source;

    public IReadOnlyCollection<string> Names => _inner.Names.Where(n => !_hidden.Contains(n) && !_added.ContainsKey(n)).Concat(_added.Keys).ToArray();

    public EditedTensorStore With(string name, Tensor tensor)
    {
        _added[name] = tensor;
        return this;
    }

    public EditedTensorStore Without(string name)
    {
        _hidden.Add(name);
        return this;
    }

    public TensorInfo? GetInfo(string name) =>
        _added.TryGetValue(name, out Tensor? t) ? new TensorInfo(name, TensorDataType.Float32, t.Shape.ToArray())
        : _hidden.Contains(name) ? null
        : _inner.GetInfo(name);

    public Tensor LoadFloat32(string name) => _added.TryGetValue(name, out Tensor? t) ? t : _inner.LoadFloat32(name);

    public (long[] Values, int[] Shape) LoadInt64(string name) => _inner.LoadInt64(name);

    public void Dispose() => _inner.Dispose();
}
