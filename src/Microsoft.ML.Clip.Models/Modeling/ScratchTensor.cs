using System.Buffers;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// A temporary tensor whose memory is rented from <see cref="ArrayPool{T}.Shared"/> and returned on dispose, so that a
/// forward pass leaves little garbage behind (a ViT-L layer on 8 images would otherwise drop ~100 MB per layer on the
/// large-object heap). Only for values that never leave the method that rents them; contents start undefined.
/// </summary>
internal sealed class ScratchTensor : IDisposable
{
    private float[]? _array;

    private ScratchTensor(float[] array, Tensor tensor)
    {
        _array = array;
        Tensor = tensor;
    }

    /// <summary>The tensor (valid until disposed).</summary>
    public Tensor Tensor { get; }

    /// <summary>The values (valid until disposed).</summary>
    public Span<float> Span => Tensor.Span;

    /// <summary>Rents a tensor of the given shape; its values are undefined until written.</summary>
    public static ScratchTensor Rent(params int[] shape)
    {
        long length = 1;
        foreach (int d in shape)
        {
            length *= d;
        }

        float[] array = ArrayPool<float>.Shared.Rent((int)length);
        return new ScratchTensor(array, new Tensor(array.AsMemory(0, (int)length), shape));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        float[]? array = Interlocked.Exchange(ref _array, null);
        if (array is not null)
        {
            ArrayPool<float>.Shared.Return(array);
        }
    }
}
