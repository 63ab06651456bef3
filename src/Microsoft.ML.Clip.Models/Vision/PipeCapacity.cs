using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Enlarges the kernel buffer of the pipe a child writes its raw frames into. Linux gives a pipe 64 KiB: a 3.5 MB frame
/// then takes ~55 <c>read</c> calls, each waking the writer, and system calls are what reading a pipe costs (in a VM
/// especially). With 1 MiB it takes 4. Advice only: where the OS has no such call, or refuses the size, nothing changes.
/// </summary>
internal static partial class PipeCapacity
{
    /// <summary>Linux's <c>F_SETPIPE_SZ</c> (<c>F_LINUX_SPECIFIC_BASE + 7</c>).</summary>
    private const int SetPipeSize = 1031;

    /// <summary>The most an unprivileged process may ask for by default (<c>/proc/sys/fs/pipe-max-size</c>).</summary>
    internal const int PreferredBytes = 1 << 20;

    private static volatile bool s_unavailable;

    /// <summary>
    /// Asks for a buffer of up to <see cref="PreferredBytes"/> (no more than <paramref name="needed"/>, rounded up to whole
    /// pages by the kernel) on the pipe behind <paramref name="stream"/>; returns the size the kernel set, or 0 when it
    /// was not changed (not Linux, not a pipe, or refused).
    /// </summary>
    public static int TryEnlarge(Stream stream, int needed)
    {
        if (!OperatingSystem.IsLinux() || s_unavailable || stream is not PipeStream pipe || needed <= 64 * 1024)
        {
            return 0;
        }

        try
        {
            int size = Fcntl(pipe.SafePipeHandle, SetPipeSize, Math.Min(needed, PreferredBytes));
            return Math.Max(size, 0); // -1 (EPERM above the limit, EBUSY): the pipe keeps its size
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
            return 0;
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl")]
    private static partial int Fcntl(SafeHandle descriptor, int command, int argument);
}
