namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// The globals a PyTorch state dict pickle may reference, and what applying each one (REDUCE) means. Nothing is
/// executed: each allowed callable is interpreted here and produces a plain description.
/// </summary>
internal static class TorchPickleGlobals
{
    /// <summary>Storage classes (<c>torch.FloatStorage</c>, …) and the element type of each.</summary>
    public static readonly IReadOnlyDictionary<string, TensorDataType> StorageTypes = new Dictionary<string, TensorDataType>(StringComparer.Ordinal)
    {
        ["FloatStorage"] = TensorDataType.Float32,
        ["HalfStorage"] = TensorDataType.Float16,
        ["BFloat16Storage"] = TensorDataType.BFloat16,
        ["DoubleStorage"] = TensorDataType.Float64,
        ["LongStorage"] = TensorDataType.Int64,
        ["IntStorage"] = TensorDataType.Int32,
        ["ShortStorage"] = TensorDataType.Int16,
        ["CharStorage"] = TensorDataType.Int8,
        ["ByteStorage"] = TensorDataType.UInt8,
        ["BoolStorage"] = TensorDataType.Bool,
    };

    private static readonly HashSet<string> Callables = new(StringComparer.Ordinal)
    {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "torch._tensor._rebuild_from_type_v2",
        "torch.Size",
    };

    // Types that appear only as arguments (e.g. the new_type of _rebuild_from_type_v2), never applied.
    private static readonly HashSet<string> Markers = new(StringComparer.Ordinal)
    {
        "torch.Tensor",
        "torch.nn.parameter.Parameter",
    };

    /// <summary>True when <c>module.name</c> may appear in a checkpoint pickle.</summary>
    public static bool IsAllowed(string module, string name) =>
        (module == "torch" && StorageTypes.ContainsKey(name)) || Callables.Contains($"{module}.{name}") || Markers.Contains($"{module}.{name}");

    /// <summary>The allow-list, for error messages.</summary>
    public static string Describe() => string.Join(", ", Callables.Concat(Markers).Append("torch.*Storage"));

    /// <summary>Interprets <c>callable(*args)</c> for an allowed callable.</summary>
    /// <param name="callable">The global being applied.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="where">The file and position, for messages.</param>
    public static object? Call(PickleGlobal callable, object?[] args, string where)
    {
        switch (callable.FullName)
        {
            case "collections.OrderedDict":
                if (args.Length != 0)
                {
                    throw new InvalidDataException($"{where}: OrderedDict is built with {args.Length} argument(s); torch.save writes OrderedDict() then SETITEMS.");
                }

                return new PickleDict();
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2":
                return RebuildTensor(args, where);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                // (data, requires_grad, backward_hooks[, state]): a Parameter is its data for inference.
                return args.Length >= 3 && args[0] is TorchTensorRef data
                    ? data
                    : throw new InvalidDataException($"{where}: {callable.Name} expects (tensor, requires_grad, hooks…), found {args.Length} argument(s).");
            case "torch._tensor._rebuild_from_type_v2":
                // (func, new_type, args, state): rebuild with func(*args); the subclass type does not matter here.
                if (args.Length != 4 || args[0] is not PickleGlobal func || args[2] is not PickleTuple inner)
                {
                    throw new InvalidDataException($"{where}: _rebuild_from_type_v2 expects (func, type, args, state).");
                }

                if (func.FullName == callable.FullName)
                {
                    throw new InvalidDataException($"{where}: _rebuild_from_type_v2 may not apply itself.");
                }

                return Call(func, inner.Items, where);
            case "torch.Size":
                return args.Length == 1 && args[0] is PickleTuple size
                    ? size
                    : throw new InvalidDataException($"{where}: torch.Size expects one tuple argument.");
            default:
                throw new InvalidDataException($"{where}: the global '{callable.FullName}' may appear in a checkpoint but cannot be applied (REDUCE).");
        }
    }

    private static TorchTensorRef RebuildTensor(object?[] args, string where)
    {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (args.Length < 4 || args[0] is not TorchStorageRef storage || args[1] is not long offset
            || args[2] is not PickleTuple size || args[3] is not PickleTuple stride)
        {
            throw new InvalidDataException($"{where}: _rebuild_tensor_v2 expects (storage, offset, size, stride, …).");
        }

        if (size.Items.Length != stride.Items.Length)
        {
            throw new InvalidDataException($"{where}: a tensor has {size.Items.Length} dimensions but {stride.Items.Length} strides.");
        }

        var shape = new int[size.Items.Length];
        var strides = new long[size.Items.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            if (size.Items[i] is not long dim || dim < 0 || dim > int.MaxValue || stride.Items[i] is not long step || step < 0)
            {
                throw new InvalidDataException($"{where}: a tensor has an invalid size or stride in dimension {i}.");
            }

            shape[i] = (int)dim;
            strides[i] = step;
        }

        if (offset < 0)
        {
            throw new InvalidDataException($"{where}: a tensor has a negative storage offset {offset}.");
        }

        return new TorchTensorRef(storage, offset, shape, strides);
    }
}
