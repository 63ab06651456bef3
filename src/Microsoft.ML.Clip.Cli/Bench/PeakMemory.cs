using System.Diagnostics;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>
/// The process's peak resident memory, resettable on Linux (writing 5 to <c>/proc/self/clear_refs</c> resets
/// <c>VmHWM</c>), so each model's peak can be reported on its own; elsewhere the process-lifetime peak.
/// </summary>
internal static class PeakMemory
{
    /// <summary>Frees what can be freed and restarts the peak from the current resident size (Linux only).</summary>
    /// <returns>True when the peak was reset.</returns>
    public static bool Reset()
    {
        // Aggressive: compact (the large-object heap too) and give the freed memory back to the OS.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>The peak resident size in bytes since the last <see cref="Reset"/> (or the process start).</summary>
    public static long Peak()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                // "VmHWM:   123456 kB"
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal)
                    && long.TryParse(line["VmHWM:".Length..].Trim().Split(' ')[0], out long kilobytes))
                {
                    return kilobytes * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
