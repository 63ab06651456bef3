using System.IO.MemoryMappedFiles;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// A whole file mapped into memory copy-on-write (writes through a tensor never reach the file).
/// </summary>
/// <remarks>
/// <see cref="Dispose"/> unmaps the file at once unless zero-copy memory (<see cref="MappedFloatMemory"/>) was handed
/// out: those memories reference this object, so the mapping then lives until the last of them (and this object) is
/// garbage: the view handle's own finalizer unmaps it. Tensors therefore stay valid after their store is disposed.
/// </remarks>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private int _disposed;
    private int _sharedViews;

    private MappedFile(string path, long length, MemoryMappedViewAccessor view, byte* pointer)
    {
        Path = path;
        Length = length;
        _view = view;
        _pointer = pointer;
    }

    /// <summary>The file path, for messages.</summary>
    public string Path { get; }

    /// <summary>The file length in bytes.</summary>
    public long Length { get; }

    /// <summary>Records that memory pointing into the mapping now exists, so <see cref="Dispose"/> must not unmap.</summary>
    public void MarkShared() => Interlocked.Exchange(ref _sharedViews, 1);

    /// <summary>Maps <paramref name="path"/>; an empty file is returned as null (it cannot be mapped).</summary>
    public static MappedFile? Open(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.None);
        long length = stream.Length;
        if (length == 0)
        {
            return null;
        }

        // The mapping object can be closed once the view exists; the view keeps the pages mapped.
        using MemoryMappedFile mapping = MemoryMappedFile.CreateFromFile(
            stream, null, 0, MemoryMappedFileAccess.CopyOnWrite, HandleInheritability.None, leaveOpen: true);
        MemoryMappedViewAccessor view = mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.CopyOnWrite);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);

        // The pointer stays valid until the view handle is closed (by Dispose or its finalizer); holding the
        // acquisition would stop the finalizer from ever unmapping.
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        return new MappedFile(path, length, view, pointer + view.PointerOffset);
    }

    /// <summary>The bytes [<paramref name="offset"/>, <paramref name="offset"/>+<paramref name="length"/>); the caller has bounds-checked them.</summary>
    public ReadOnlySpan<byte> Bytes(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new ReadOnlySpan<byte>(_pointer + offset, length);
    }

    /// <summary>The address of byte <paramref name="offset"/>.</summary>
    public byte* Address(long offset)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _pointer + offset;
    }

    /// <summary>
    /// Tells the OS that the whole pages inside bytes [<paramref name="offset"/>, <paramref name="offset"/>+<paramref name="length"/>)
    /// are not needed now (see <see cref="PageAdvice"/>): they leave the resident set and are read again from the file
    /// when next touched. Values written into those pages through the copy-on-write mapping are lost.
    /// </summary>
    /// <returns>The bytes released (whole pages; 0 when none lie inside the range or the OS did not take the advice).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the file.</exception>
    /// <exception cref="ObjectDisposedException">The file was disposed and unmapped.</exception>
    public long ReleasePages(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(length), $"Bytes [{offset}, {offset} + {length}) are not inside '{Path}' ({Length} bytes).");
        }

        // Disposed but shared: the mapping lives on for the memories that point into it, so advice is still safe.
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0 && Volatile.Read(ref _sharedViews) == 0, this);
        return PageAdvice.DontNeed(_pointer + offset, length);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (Volatile.Read(ref _sharedViews) == 0)
            {
                _view.Dispose();
            }
        }
    }
}
