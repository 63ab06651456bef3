using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>Vectorised row reductions with double accumulators (each float is widened before it is added).</summary>
internal static class RowStatistics
{
    /// <summary>Σ x, accumulated in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Sum(ReadOnlySpan<float> x)
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        int count = Vector<float>.Count;
        Vector<double> accLow = Vector<double>.Zero, accHigh = Vector<double>.Zero;
        int i = 0;
        for (; i <= x.Length - count; i += count)
        {
            Vector.Widen(Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref start, i))), out Vector<double> low, out Vector<double> high);
            accLow += low;
            accHigh += high;
        }

        double sum = Vector.Sum(accLow + accHigh);
        for (; i < x.Length; i++)
        {
            sum += x[i];
        }

        return sum;
    }

    /// <summary>Σ (x - center)², the float differences squared and accumulated in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumOfSquaredDeviations(ReadOnlySpan<float> x, float center)
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        int count = Vector<float>.Count;
        var c = new Vector<float>(center);
        Vector<double> accLow = Vector<double>.Zero, accHigh = Vector<double>.Zero;
        int i = 0;
        for (; i <= x.Length - count; i += count)
        {
            Vector<float> d = Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref start, i))) - c;
            Vector.Widen(d, out Vector<double> low, out Vector<double> high);
            accLow += low * low;
            accHigh += high * high;
        }

        double sum = Vector.Sum(accLow + accHigh);
        for (; i < x.Length; i++)
        {
            double d = x[i] - center;
            sum += d * d;
        }

        return sum;
    }

    /// <summary>Σ x², accumulated in double.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x) => SumOfSquaredDeviations(x, 0f);
}
