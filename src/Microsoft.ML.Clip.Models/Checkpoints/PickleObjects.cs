namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>A global (<c>module.name</c>) that the restricted unpickler allowed; it is a marker, never executed.</summary>
/// <param name="Module">The module, e.g. <c>torch._utils</c>.</param>
/// <param name="Name">The attribute, e.g. <c>_rebuild_tensor_v2</c>.</param>
internal sealed record PickleGlobal(string Module, string Name)
{
    /// <summary>The dotted name, e.g. <c>torch._utils._rebuild_tensor_v2</c>.</summary>
    public string FullName => $"{Module}.{Name}";
}

/// <summary>A Python tuple.</summary>
/// <param name="Items">The elements.</param>
internal sealed record PickleTuple(object?[] Items);

/// <summary>A Python dict or OrderedDict, keeping insertion order.</summary>
internal sealed class PickleDict
{
    // Position of each key in Items (keys are strings or numbers in practice; others compare by reference).
    private readonly Dictionary<object, int> _index = new();
    private int _nullKeyIndex = -1;

    /// <summary>The key/value pairs in insertion order (a later duplicate key replaces the earlier value).</summary>
    public List<KeyValuePair<object?, object?>> Items { get; } = new();

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, like <c>d[key] = value</c>.</summary>
    public void Set(object? key, object? value)
    {
        int existing = key is null ? _nullKeyIndex : _index.GetValueOrDefault(key, -1);
        if (existing >= 0)
        {
            Items[existing] = new(key, value);
            return;
        }

        if (key is null)
        {
            _nullKeyIndex = Items.Count;
        }
        else
        {
            _index[key] = Items.Count;
        }

        Items.Add(new(key, value));
    }
}

/// <summary>A storage named by a <c>torch.save</c> persistent id: <c>('storage', torch.FloatStorage, key, location, numel)</c>.</summary>
/// <param name="DataType">The element type, from the storage class.</param>
/// <param name="Key">The record name: the storage lives in the zip entry <c>&lt;prefix&gt;/data/&lt;key&gt;</c>.</param>
/// <param name="ElementCount">The number of elements in the storage.</param>
internal sealed record TorchStorageRef(TensorDataType DataType, string Key, long ElementCount);

/// <summary>A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a strided view of a storage.</summary>
/// <param name="Storage">The storage holding the elements.</param>
/// <param name="StorageOffset">The index (in elements) of the first element.</param>
/// <param name="Shape">The dimensions.</param>
/// <param name="Strides">The step (in elements) along each dimension.</param>
internal sealed record TorchTensorRef(TorchStorageRef Storage, long StorageOffset, int[] Shape, long[] Strides);
