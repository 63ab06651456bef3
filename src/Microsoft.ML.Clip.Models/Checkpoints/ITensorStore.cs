using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>Describes one tensor in a checkpoint without reading its data.</summary>
/// <param name="Name">The state-dict key, e.g. <c>text_model.final_layer_norm.weight</c>.</param>
/// <param name="DataType">The stored element type.</param>
/// <param name="Shape">The dimensions.</param>
public sealed record TensorInfo(string Name, TensorDataType DataType, int[] Shape);

/// <summary>
/// Read access to the named tensors of a checkpoint (a safetensors file, a PyTorch <c>pytorch_model.bin</c>, or a sharded set).
/// Implementations are safe to read from several threads at once.
/// </summary>
public interface ITensorStore : IDisposable
{
    /// <summary>Where the tensors come from (a file or folder path), for error messages.</summary>
    string Source { get; }

    /// <summary>Every tensor name in the store.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Describes a tensor, or returns null when the store has no tensor of that name.</summary>
    /// <param name="name">The state-dict key.</param>
    TensorInfo? GetInfo(string name);

    /// <summary>Reads a floating-point tensor as float32 (F16/BF16 are widened; F32 may share the file's memory).</summary>
    /// <remarks>
    /// A tensor that shares a memory-mapped file stays valid after the store is disposed (it keeps the mapping alive),
    /// and writing to it never changes the file. Keep the <see cref="Tensor"/> referenced while using its span.
    /// </remarks>
    /// <param name="name">The state-dict key.</param>
    /// <exception cref="KeyNotFoundException">There is no tensor of that name.</exception>
    Tensor LoadFloat32(string name);

    /// <summary>Reads an integer tensor (I64 or I32) as 64-bit integers, with its shape.</summary>
    /// <param name="name">The state-dict key.</param>
    /// <exception cref="KeyNotFoundException">There is no tensor of that name.</exception>
    (long[] Values, int[] Shape) LoadInt64(string name);
}
