using System.Buffers;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// Exposes float32 values inside a memory-mapped file as <see cref="Memory{T}"/> without copying. Holds a reference
/// to the <see cref="MappedFile"/>, which keeps the mapping alive while this memory (i.e. its tensor) is reachable.
/// </summary>
/// <remarks>Spans taken from this memory are valid while the owning tensor is referenced, as for any native memory.</remarks>
internal sealed unsafe class MappedFloatMemory : MemoryManager<float>, IFileBackedMemory
{
    // Keeps the mapping alive (see MappedFile) for as long as this memory is reachable.
    private readonly MappedFile _file;
    private readonly long _offset;
    private readonly float* _pointer;
    private readonly int _length;

    /// <summary>Wraps <paramref name="length"/> floats at byte <paramref name="offset"/> of <paramref name="file"/>, which must be 4-byte aligned.</summary>
    public MappedFloatMemory(MappedFile file, long offset, int length)
    {
        _file = file;
        _offset = offset;
        _pointer = (float*)file.Address(offset);
        _length = length;
        file.MarkShared();
    }

    /// <inheritdoc />
    public override Span<float> GetSpan() => new(_pointer, _length);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside this memory.</exception>
    public long ReleasePages(int start, int length)
    {
        if (start < 0 || length < 0 || start > _length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"Floats [{start}, {start} + {length}) are not inside this memory of {_length}.");
        }

        return _file.ReleasePages(_offset + ((long)start * sizeof(float)), (long)length * sizeof(float));
    }

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        return new MemoryHandle(_pointer + elementIndex, default, this);
    }

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
    }
}
