using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// <see cref="VectorMath"/> on 512-bit vectors for AVX-512 CPUs (twice the width of <c>Vector&lt;T&gt;</c> there); only
/// call when <see cref="Avx512F.IsSupported"/>. Each function mirrors its <see cref="VectorMath"/> twin step by step.
/// </summary>
internal static class VectorMath512
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;
    private const float ExpMax = 88f;
    private const float ExpMin = -87.3365447504f;

    /// <summary>The 512-bit twin of the <see cref="VectorMath"/> function of the same name (same operations, same order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x, Vector512<float> y)
    {
        Vector512<float> sum = x + y;
        Vector512<float> clamped = Avx512F.Min(Avx512F.Max(sum, Vector512.Create(ExpMin)), Vector512.Create(ExpMax));
        Vector512<float> n = Vector512.Floor(Avx512F.FusedMultiplyAdd(clamped, Vector512.Create(Log2E), Vector512.Create(0.5f)));

        // r = x + y - n·ln2, subtracting the exact product n·Ln2High from x before adding y keeps r accurate to float
        // precision even when x is large (x ≈ n·ln2 cancels exactly).
        Vector512<float> r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), Avx512F.Min(Avx512F.Max(x, Vector512.Create(-200f)), Vector512.Create(200f)));
        r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), r) + Avx512F.Min(Avx512F.Max(y, Vector512.Create(-200f)), Vector512.Create(200f));

        Vector512<float> p = Vector512.Create(1.9875691500e-4f);
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        Vector512<float> result = Avx512F.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;

        Vector512<int> bits = Vector512.ShiftLeft(Avx512F.ConvertToVector512Int32WithTruncation(n) + Vector512.Create(127), 23);
        result *= bits.AsSingle();
        result = Vector512.ConditionalSelect(Vector512.LessThan(sum, Vector512.Create(ExpMin)), Vector512<float>.Zero, result);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(sum, Vector512.Create(ExpMax)), Vector512.Create(float.PositiveInfinity), result);
    }

    /// <summary>The 512-bit twin of the <see cref="VectorMath"/> function of the same name (same operations, same order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x) => Exp(x, Vector512<float>.Zero);

    /// <summary>The 512-bit twin of the <see cref="VectorMath"/> function of the same name (same operations, same order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Gelu(Vector512<float> x)
    {
        Vector512<float> z = Avx512F.Min(Vector512.Abs(x) * Vector512.Create(0.707106781186547524f), Vector512.Create(10f));
        Vector512<float> t = Vector512<float>.One / Avx512F.FusedMultiplyAdd(z, Vector512.Create(0.5f), Vector512<float>.One);
        Vector512<float> p = Vector512.Create(0.17087277f);
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(-0.82215223f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(1.48851587f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(-1.13520398f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(0.27886807f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(-0.18628806f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(0.09678418f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(0.37409196f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(1.00002368f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(-1.26551223f));
        // z² = x²/2 from x itself (z is rounded; its error would grow to 1e-5 relative in e^(-z²) at z ≈ 8).
        Vector512<float> clampedX = Avx512F.Min(Vector512.Abs(x), Vector512.Create(14.2f));
        Vector512<float> square = clampedX * clampedX;
        Vector512<float> high = square * Vector512.Create(0.5f);
        Vector512<float> low = Avx512F.FusedMultiplyAdd(clampedX, clampedX, -square) * Vector512.Create(0.5f); // x² - square, exact with FMA
        Vector512<float> erfc = t * Exp(-high, p - low);
        Vector512<float> onePlusErf = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), erfc, Vector512.Create(2f) - erfc);
        return Vector512.Create(0.5f) * x * onePlusErf;
    }

    /// <summary>The 512-bit twin of the <see cref="VectorMath"/> function of the same name (same operations, same order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> z = Vector512.Abs(x);
        Vector512<float> large = Vector512<float>.One - (Vector512.Create(2f) / (Exp(z + z) + Vector512<float>.One));
        large = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), -large, large);
        Vector512<float> x2 = x * x;
        Vector512<float> p = Vector512.Create(-5.70498872745e-3f);
        p = Avx512F.FusedMultiplyAdd(p, x2, Vector512.Create(2.06390887954e-2f));
        p = Avx512F.FusedMultiplyAdd(p, x2, Vector512.Create(-5.37397155531e-2f));
        p = Avx512F.FusedMultiplyAdd(p, x2, Vector512.Create(1.33314422036e-1f));
        p = Avx512F.FusedMultiplyAdd(p, x2, Vector512.Create(-3.33332819422e-1f));
        Vector512<float> small = Avx512F.FusedMultiplyAdd(p * x2, x, x);
        return Vector512.ConditionalSelect(Vector512.LessThan(z, Vector512.Create(0.625f)), small, large);
    }

    /// <summary>The 512-bit twin of the <see cref="VectorMath"/> function of the same name (same operations, same order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> QuickGelu(Vector512<float> x) => x / (Vector512<float>.One + Exp(x * Vector512.Create(-1.702f)));
}
