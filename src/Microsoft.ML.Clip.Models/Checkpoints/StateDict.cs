using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// Hands a model's weights out of an <see cref="ITensorStore"/> by name, checking shapes and recording which keys
/// were used, so that missing and unexpected keys can be reported the way <c>transformers</c> does.
/// </summary>
public sealed class StateDict
{
    private readonly ITensorStore _store;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly List<string> _missing = new();

    /// <summary>Wraps a store.</summary>
    /// <param name="store">The checkpoint's tensors.</param>
    public StateDict(ITensorStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>The underlying store.</summary>
    public ITensorStore Store => _store;

    /// <summary>True when the checkpoint has a tensor named <paramref name="name"/>.</summary>
    /// <param name="name">The state-dict key.</param>
    public bool Contains(string name) => _store.GetInfo(name) is not null;

    /// <summary>Takes a required float tensor, checking its shape.</summary>
    /// <param name="name">The state-dict key.</param>
    /// <param name="shape">The expected dimensions.</param>
    /// <exception cref="InvalidDataException">The tensor is missing or has another shape.</exception>
    public Tensor Take(string name, params int[] shape)
    {
        TensorInfo info = _store.GetInfo(name)
            ?? throw new InvalidDataException($"Checkpoint '{_store.Source}' is missing the required weight '{name}' (expected shape {Tensor.FormatShape(shape)}).");
        if (!info.Shape.AsSpan().SequenceEqual(shape))
        {
            throw new InvalidDataException(
                $"Checkpoint '{_store.Source}': weight '{name}' has shape {Tensor.FormatShape(info.Shape)}, expected {Tensor.FormatShape(shape)}. Does the config.json match the weights?");
        }

        lock (_used)
        {
            _used.Add(name);
        }

        return _store.LoadFloat32(name);
    }

    /// <summary>Takes a float tensor that the model may or may not have (e.g. an optional bias), checking its shape.</summary>
    /// <param name="name">The state-dict key.</param>
    /// <param name="shape">The expected dimensions.</param>
    /// <returns>The tensor, or null when the checkpoint has no tensor of that name (the name is then listed in <see cref="MissingOptionalKeys"/>).</returns>
    /// <exception cref="InvalidDataException">The tensor exists with another shape.</exception>
    public Tensor? TakeOptional(string name, params int[] shape)
    {
        if (!Contains(name))
        {
            lock (_missing)
            {
                _missing.Add(name);
            }

            return null;
        }

        return Take(name, shape);
    }

    /// <summary>Keys asked for with <see cref="TakeOptional"/> that the checkpoint did not have.</summary>
    public IReadOnlyList<string> MissingOptionalKeys
    {
        get
        {
            lock (_missing)
            {
                return _missing.ToArray();
            }
        }
    }

    /// <summary>The keys of the store that were never taken, except those matching <paramref name="ignored"/>.</summary>
    /// <param name="ignored">Predicates for keys that may be present and unused (e.g. <c>*.position_ids</c> buffers).</param>
    public IReadOnlyList<string> UnexpectedKeys(params Func<string, bool>[] ignored)
    {
        lock (_used)
        {
            return _store.Names.Where(n => !_used.Contains(n) && !ignored.Any(i => i(n))).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Throws when the checkpoint holds weights the model did not use (other than <paramref name="ignored"/>).</summary>
    /// <param name="ignored">Predicates for keys that may be present and unused.</param>
    /// <exception cref="InvalidDataException">There are unexpected keys; the message lists them.</exception>
    public void EnsureNoUnexpectedKeys(params Func<string, bool>[] ignored)
    {
        IReadOnlyList<string> unexpected = UnexpectedKeys(ignored);
        if (unexpected.Count > 0)
        {
            throw new InvalidDataException(
                $"Checkpoint '{_store.Source}' has {unexpected.Count} weight(s) the model does not use: {string.Join(", ", unexpected.Take(20))}{(unexpected.Count > 20 ? ", …" : string.Empty)}. Is it a checkpoint of another model type?");
        }
    }
}
