namespace Microsoft.ML.Clip.Numerics;

/// <summary>
/// Tensor memory whose values live in a file mapping (a memory-mapped checkpoint), so pages that were read can be handed
/// back to the OS once a copy of them exists elsewhere (e.g. a <see cref="Linear"/> layer's packed weight): they are
/// read again from the file if touched later.
/// </summary>
internal interface IFileBackedMemory
{
    /// <summary>Releases the whole pages inside floats [<paramref name="start"/>, <paramref name="start"/>+<paramref name="length"/>) of this memory.</summary>
    /// <param name="start">The first float of the range.</param>
    /// <param name="length">The number of floats.</param>
    /// <returns>The bytes released (whole pages only; 0 when the OS did not take the advice).</returns>
    /// <remarks>Advice: never fails for a range inside the memory. Values written in place into released pages are lost (the file's values return).</remarks>
    long ReleasePages(int start, int length);
}
