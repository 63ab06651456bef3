using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// Vectorised float elementary functions for the activations: <c>exp</c>, the exact-erf GELU and quick GELU. Each is
/// written once over <see cref="Vector{T}"/>; span tails go through the same code (padded), so a value's result never
/// depends on where it sits in the span.
/// </summary>
internal static class VectorMath
{
    // exp: x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite split of ln2, exact n·Ln2High for |n| < 2⁹), then the Cephes expf
    // polynomial e^r ≈ 1 + r + r²·P(r) (≈1 ulp), then scale by 2ⁿ through the exponent bits.
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;
    private const float ExpMax = 88f;                // treated as overflow (+∞) past here, so 2ⁿ stays a normal float
    private const float ExpMin = -87.3365447504f;    // e^x is below the smallest normal float past here: return 0

    /// <summary><c>e^(x + y)</c> for a large <paramref name="x"/> plus a small correction <paramref name="y"/>, without rounding <c>x + y</c> first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x, Vector<float> y)
    {
        Vector<float> sum = x + y;
        Vector<float> clamped = Min(Max(sum, new Vector<float>(ExpMin)), new Vector<float>(ExpMax));
        Vector<float> n = Vector.Floor(MultiplyAdd(clamped, new Vector<float>(Log2E), new Vector<float>(0.5f)));

        // r = x + y - n·ln2, subtracting the exact product n·Ln2High from x before adding y keeps r accurate to float
        // precision even when x is large (x ≈ n·ln2 cancels exactly).
        Vector<float> r = MultiplyAdd(n, new Vector<float>(-Ln2High), Min(Max(x, new Vector<float>(-200f)), new Vector<float>(200f)));
        r = MultiplyAdd(n, new Vector<float>(-Ln2Low), r) + Min(Max(y, new Vector<float>(-200f)), new Vector<float>(200f));

        Vector<float> p = new(1.9875691500e-4f);
        p = MultiplyAdd(p, r, new Vector<float>(1.3981999507e-3f));
        p = MultiplyAdd(p, r, new Vector<float>(8.3334519073e-3f));
        p = MultiplyAdd(p, r, new Vector<float>(4.1665795894e-2f));
        p = MultiplyAdd(p, r, new Vector<float>(1.6666665459e-1f));
        p = MultiplyAdd(p, r, new Vector<float>(5.0000001201e-1f));
        Vector<float> result = MultiplyAdd(p, r * r, r) + Vector<float>.One;

        Vector<int> bits = Vector.ShiftLeft(ToInt32(n) + new Vector<int>(127), 23);
        result *= Vector.AsVectorSingle(bits);
        result = Vector.ConditionalSelect(Vector.LessThan(sum, new Vector<float>(ExpMin)), Vector<float>.Zero, result);
        return Vector.ConditionalSelect(Vector.GreaterThan(sum, new Vector<float>(ExpMax)), new Vector<float>(float.PositiveInfinity), result);
    }

    /// <summary><c>e^x</c>, within about 1 ulp for normal results; 0 below <c>e^-87.3</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x) => Exp(x, Vector<float>.Zero);

    /// <summary>
    /// The exact GELU, <c>x·½·(1 + erf(x/√2))</c>. With <c>z = |x|/√2</c>, <c>erfc(z) = t·exp(-z² + P(t))</c>,
    /// <c>t = 1/(1 + z/2)</c> (the Chebyshev fit of Numerical Recipes' <c>erfcc</c>, relative error &lt; 1.2e-7 for all
    /// z ≥ 0); then <c>1 + erf(x/√2)</c> is <c>2 - erfc(z)</c> for x ≥ 0 and <c>erfc(z)</c> for x &lt; 0, so there is no
    /// cancellation in the negative tail (better than the float <c>1 + erf</c> torch evaluates). <c>z² = x²/2</c> is
    /// split exactly into <c>hi + lo</c> with an FMA so the large exponent loses nothing to rounding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Gelu(Vector<float> x)
    {
        Vector<float> z = Min(Vector.Abs(x) * new Vector<float>(0.707106781186547524f), new Vector<float>(10f));
        Vector<float> t = Vector<float>.One / MultiplyAdd(z, new Vector<float>(0.5f), Vector<float>.One);
        Vector<float> p = new(0.17087277f);
        p = MultiplyAdd(p, t, new Vector<float>(-0.82215223f));
        p = MultiplyAdd(p, t, new Vector<float>(1.48851587f));
        p = MultiplyAdd(p, t, new Vector<float>(-1.13520398f));
        p = MultiplyAdd(p, t, new Vector<float>(0.27886807f));
        p = MultiplyAdd(p, t, new Vector<float>(-0.18628806f));
        p = MultiplyAdd(p, t, new Vector<float>(0.09678418f));
        p = MultiplyAdd(p, t, new Vector<float>(0.37409196f));
        p = MultiplyAdd(p, t, new Vector<float>(1.00002368f));
        p = MultiplyAdd(p, t, new Vector<float>(-1.26551223f));
        // z² = x²/2 from x itself (z is rounded; its error would grow to 1e-5 relative in e^(-z²) at z ≈ 8).
        Vector<float> clampedX = Min(Vector.Abs(x), new Vector<float>(14.2f));
        Vector<float> square = clampedX * clampedX;
        Vector<float> high = square * new Vector<float>(0.5f);
        Vector<float> low = MultiplyAdd(clampedX, clampedX, -square) * new Vector<float>(0.5f); // x² - square, exact with FMA
        Vector<float> erfc = t * Exp(-high, p - low);
        Vector<float> onePlusErf = Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), erfc, new Vector<float>(2f) - erfc);
        return new Vector<float>(0.5f) * x * onePlusErf;
    }

    /// <summary>
    /// The hyperbolic tangent as Cephes <c>tanhf</c>: <c>x + x³·P(x²)</c> for |x| &lt; 0.625, else
    /// <c>sign(x)·(1 - 2/(e^(2|x|) + 1))</c> (no cancellation there since the result is ≥ 0.55).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Tanh(Vector<float> x)
    {
        Vector<float> z = Vector.Abs(x);
        Vector<float> large = Vector<float>.One - (new Vector<float>(2f) / (Exp(z + z) + Vector<float>.One));
        large = Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -large, large);
        Vector<float> x2 = x * x;
        Vector<float> p = new(-5.70498872745e-3f);
        p = MultiplyAdd(p, x2, new Vector<float>(2.06390887954e-2f));
        p = MultiplyAdd(p, x2, new Vector<float>(-5.37397155531e-2f));
        p = MultiplyAdd(p, x2, new Vector<float>(1.33314422036e-1f));
        p = MultiplyAdd(p, x2, new Vector<float>(-3.33332819422e-1f));
        Vector<float> small = MultiplyAdd(p * x2, x, x);
        return Vector.ConditionalSelect(Vector.LessThan(z, new Vector<float>(0.625f)), small, large);
    }

    /// <summary>Quick GELU, <c>x·σ(1.702·x) = x / (1 + e^(-1.702·x))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> QuickGelu(Vector<float> x) => x / (Vector<float>.One + Exp(x * new Vector<float>(-1.702f)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Min(Vector<float> x, Vector<float> y)
    {
#if NET9_0_OR_GREATER
        return Vector.MinNative(x, y); // plain vminps: NaN/±0 ordering does not matter here
#else
        return Vector.Min(x, y);
#endif
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Max(Vector<float> x, Vector<float> y)
    {
#if NET9_0_OR_GREATER
        return Vector.MaxNative(x, y);
#else
        return Vector.Max(x, y);
#endif
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<int> ToInt32(Vector<float> x)
    {
#if NET9_0_OR_GREATER
        return Vector.ConvertToInt32Native(x); // x is already an integer in range
#else
        return Vector.ConvertToInt32(x);
#endif
    }

    /// <summary><c>x·y + z</c>, fused where the runtime offers it (.NET 9+).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> MultiplyAdd(Vector<float> x, Vector<float> y, Vector<float> z)
    {
#if NET9_0_OR_GREATER
        return Vector.FusedMultiplyAdd(x, y, z);
#else
        return (x * y) + z;
#endif
    }
}
