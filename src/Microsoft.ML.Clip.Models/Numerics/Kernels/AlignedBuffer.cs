using System.Runtime.CompilerServices;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// A pinned float array whose usable part starts on a 64-byte boundary (one cache line, one 512-bit vector), so packed
/// panels load with aligned vector loads. Pinned on the pinned-object heap: no <c>fixed</c> needed, no free needed.
/// </summary>
internal sealed unsafe class AlignedBuffer
{
    private const int AlignmentFloats = 16;
    private readonly float[] _array;

    /// <summary>Allocates room for <paramref name="length"/> floats (uninitialised).</summary>
    public AlignedBuffer(long length)
    {
        if (length > Array.MaxLength - AlignmentFloats)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"A packed buffer of {length} floats is larger than one array can hold.");
        }

        _array = GC.AllocateUninitializedArray<float>((int)length + AlignmentFloats, pinned: true);
        float* start = (float*)Unsafe.AsPointer(ref _array[0]);
        int skip = (int)((64 - ((nuint)start & 63)) & 63) / sizeof(float);
        Pointer = start + skip;
        Length = (int)length;
    }

    /// <summary>The first usable float, 64-byte aligned.</summary>
    public float* Pointer { get; }

    /// <summary>The usable length in floats.</summary>
    public int Length { get; }

    /// <summary>Returns <paramref name="buffer"/> if it holds at least <paramref name="length"/> floats, else a new, larger one.</summary>
    public static AlignedBuffer Ensure(ref AlignedBuffer? buffer, long length)
    {
        if (buffer is null || buffer.Length < length)
        {
            // Grow geometrically so a sequence of slightly larger calls does not reallocate each time.
            long size = Math.Max(length, buffer is null ? 0 : Math.Min((long)buffer.Length * 3 / 2, Array.MaxLength - AlignmentFloats));
            buffer = new AlignedBuffer(size);
        }

        return buffer;
    }
}
