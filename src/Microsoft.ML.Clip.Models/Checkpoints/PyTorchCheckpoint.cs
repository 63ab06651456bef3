using System.Runtime.InteropServices;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// A <c>pytorch_model.bin</c> written by <c>torch.save(state_dict)</c> (zip format, torch ≥ 1.6). The pickle is read
/// by a restricted unpickler that never executes anything and accepts only tensor-rebuilding globals; storages are
/// read from the zip on demand, honouring each tensor's storage offset and strides. The file is memory-mapped
/// (copy-on-write) and contiguous float32 tensors of uncompressed entries are zero-copy views, as with
/// <see cref="SafeTensorsFile"/>; the mapping lives while the store or any such tensor is referenced.
/// </summary>
public sealed class PyTorchCheckpoint : ITensorStore
{
    private readonly TorchZipArchive _archive;
    private readonly Dictionary<string, (TensorInfo Info, TorchTensorRef Tensor)> _tensors = new(StringComparer.Ordinal);

    private PyTorchCheckpoint(string path, TorchZipArchive archive)
    {
        Source = path;
        _archive = archive;
        string pickleName = archive.Prefix + "data.pkl";
        object? root = new RestrictedUnpickler(archive.ReadPickle(), $"{path}!{pickleName}", PersistentLoad).Load();
        if (root is not PickleDict dict)
        {
            throw new InvalidDataException($"'{path}': data.pkl holds {RestrictedUnpickler.Describe(root)}, not a state dict (a dict of tensors).");
        }

        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name)
            {
                throw new InvalidDataException($"'{path}': the state dict has a key {RestrictedUnpickler.Describe(key)}, not a string.");
            }

            if (value is not TorchTensorRef tensor)
            {
                throw new InvalidDataException($"'{path}': state dict entry '{name}' is {RestrictedUnpickler.Describe(value)}, not a tensor. Is this a training checkpoint rather than a model's state dict?");
            }

            CheckBounds(name, tensor);
            _tensors[name] = (new TensorInfo(name, tensor.Storage.DataType, tensor.Shape), tensor);
        }
    }

    /// <inheritdoc />
    public string Source { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<string> Names => _tensors.Keys;

    /// <summary>Opens a <c>pytorch_model.bin</c> and reads its tensor directory (not the data).</summary>
    /// <param name="path">The file path.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a torch zip checkpoint, is corrupt, or its pickle references a forbidden global.</exception>
    public static PyTorchCheckpoint Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"The PyTorch checkpoint '{fullPath}' does not exist.", fullPath);
        }

        TorchZipArchive archive = TorchZipArchive.Open(fullPath);
        try
        {
            return new PyTorchCheckpoint(fullPath, archive);
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public TensorInfo? GetInfo(string name) => _tensors.TryGetValue(name, out var entry) ? entry.Info : null;

    /// <inheritdoc />
    public Tensor LoadFloat32(string name)
    {
        var (info, tensor) = Find(name);
        int count = checked((int)TensorDataTypes.ElementCount(info.Shape));
        if (info.DataType == TensorDataType.Float32 && BitConverter.IsLittleEndian && IsRowMajor(tensor))
        {
            // The common case: a view of the memory-mapped zip entry (torch aligns storages), else one read.
            if (_archive.TryMapFloat32(tensor.Storage.Key, tensor.StorageOffset * 4, count) is Memory<float> mapped)
            {
                return new Tensor(mapped, info.Shape);
            }

            var direct = new float[count];
            _archive.ReadStorage(tensor.Storage.Key, tensor.StorageOffset * 4, MemoryMarshal.AsBytes(direct.AsSpan()));
            return new Tensor(direct, info.Shape);
        }

        var values = new float[count];

        byte[] contiguous = ReadContiguous(name, tensor);
        ElementConverter.ToFloat32(contiguous, info.DataType, values, $"'{Source}': tensor '{name}'");
        return new Tensor(values, info.Shape);
    }

    /// <inheritdoc />
    public (long[] Values, int[] Shape) LoadInt64(string name)
    {
        var (info, tensor) = Find(name);
        byte[] contiguous = ReadContiguous(name, tensor);
        var values = new long[checked((int)TensorDataTypes.ElementCount(info.Shape))];
        ElementConverter.ToInt64(contiguous, info.DataType, values, $"'{Source}': tensor '{name}'");
        return (values, (int[])info.Shape.Clone());
    }

    /// <inheritdoc />
    public void Dispose() => _archive.Dispose();

    private object PersistentLoad(PickleTuple id)
    {
        // ('storage', torch.FloatStorage, key, location, numel)
        object?[] items = id.Items;
        if (items.Length != 5 || items[0] is not "storage" || items[1] is not PickleGlobal type || items[2] is not string key || items[4] is not long count || count < 0)
        {
            throw new InvalidDataException($"'{Source}': unexpected persistent id of {items.Length} item(s); expected ('storage', torch.<Type>Storage, key, location, numel).");
        }

        if (type.Module != "torch" || !TorchPickleGlobals.StorageTypes.TryGetValue(type.Name, out TensorDataType dataType))
        {
            throw new InvalidDataException($"'{Source}': storage '{key}' has type '{type.FullName}', which is not a supported torch storage type.");
        }

        return new TorchStorageRef(dataType, key, count);
    }

    /// <summary>Checks every element the view addresses lies inside its storage: offset + Σ (size−1)·stride &lt; numel.</summary>
    private void CheckBounds(string name, TorchTensorRef tensor)
    {
        long elementCount;
        long last = tensor.StorageOffset;
        try
        {
            elementCount = TensorDataTypes.ElementCount(tensor.Shape);
            for (int i = 0; i < tensor.Shape.Length; i++)
            {
                if (tensor.Shape[i] > 0)
                {
                    last = checked(last + ((tensor.Shape[i] - 1) * tensor.Strides[i]));
                }
            }
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"'{Source}': tensor '{name}' has a shape or strides too large to address.");
        }

        if (elementCount > 0 && last >= tensor.Storage.ElementCount)
        {
            throw new InvalidDataException(
                $"'{Source}': tensor '{name}' (shape {Tensor.FormatShape(tensor.Shape)}, offset {tensor.StorageOffset}) reaches element {last} of storage '{tensor.Storage.Key}', which has only {tensor.Storage.ElementCount}.");
        }
    }

    /// <summary>Reads the tensor's elements into a row-major byte array, gathering strided views.</summary>
    private byte[] ReadContiguous(string name, TorchTensorRef tensor)
    {
        int elementSize = tensor.Storage.DataType.ElementSize();
        long count = TensorDataTypes.ElementCount(tensor.Shape);
        if (count == 0)
        {
            return Array.Empty<byte>();
        }

        if (IsRowMajor(tensor))
        {
            var bytes = new byte[checked(count * elementSize)];
            _archive.ReadStorage(tensor.Storage.Key, tensor.StorageOffset * elementSize, bytes);
            return bytes;
        }

        byte[] storage = _archive.ReadStorage(tensor.Storage.Key, checked(tensor.Storage.ElementCount * elementSize));

        // Strided view: walk the indices in row-major order, tracking the storage position.
        var result = new byte[checked(count * elementSize)];
        int rank = tensor.Shape.Length;
        var index = new int[rank];
        long position = tensor.StorageOffset;
        for (long n = 0; n < count; n++)
        {
            Buffer.BlockCopy(storage, (int)(position * elementSize), result, (int)(n * elementSize), elementSize);
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                index[axis]++;
                position += tensor.Strides[axis];
                if (index[axis] < tensor.Shape[axis])
                {
                    break;
                }

                position -= index[axis] * tensor.Strides[axis];
                index[axis] = 0;
            }
        }

        return result;
    }

    private static bool IsRowMajor(TorchTensorRef tensor)
    {
        long expected = 1;
        for (int axis = tensor.Shape.Length - 1; axis >= 0; axis--)
        {
            if (tensor.Shape[axis] != 1 && tensor.Strides[axis] != expected)
            {
                return false;
            }

            expected *= tensor.Shape[axis];
        }

        return true;
    }

    private (TensorInfo Info, TorchTensorRef Tensor) Find(string name) =>
        _tensors.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"'{Source}' has no tensor named '{name}'.");
}
