using System.Diagnostics;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>
/// The process's peak working set, resettable on Linux (writing <c>5</c> to <c>/proc/self/clear_refs</c> resets
/// <c>VmHWM</c>, which <see cref="Process.PeakWorkingSet64"/> reads) so that each benchmark reports its own peak.
/// Elsewhere, or when the reset is not permitted, the figure is the peak since the process started.
/// </summary>
internal static class PeakWorkingSet
{
    /// <summary>
    /// Returns freed managed memory to the OS (an aggressive, compacting collection decommits it), then resets the peak
    /// to the current working set where the OS allows it.
    /// </summary>
    public static void Reset()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Kernels before 4.0 or restricted /proc: keep the since-start peak.
        }
    }

    /// <summary>The peak working set in bytes.</summary>
    public static long Read()
    {
        using Process process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
