using System.Diagnostics;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>The wall-clock helpers the hand-written benchmark runners share.</summary>
internal static class Timing
{
    /// <summary>The seconds one call of <paramref name="action"/> takes.</summary>
    public static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>The median (the mean of the middle two for an even count); the input is not reordered.</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}
