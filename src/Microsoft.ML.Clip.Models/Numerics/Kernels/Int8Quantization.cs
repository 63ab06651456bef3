using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// Symmetric int8 quantization: a row <c>x</c> gets the scale <c>s = max|x| / 127</c> (1 for an all-zero row) and the
/// values <c>q = clamp(round_half_even(x / s), -127, 127)</c>, so <c>x ≈ q·s</c>. The weights of a layer are quantized
/// this way per output channel (one scale per row of <c>W [out, in]</c>), its activations per input row at run time.
/// </summary>
/// <remarks>
/// The vector and scalar paths compute the same IEEE divisions and the same round-half-even, so they give the same bytes.
/// A row holding a NaN or an infinity gets a NaN scale and zero values: its outputs become NaN, as in float32.
/// </remarks>
internal static class Int8Quantization
{
    /// <summary>The largest magnitude of a quantized value (−128 is never used, so the range is symmetric).</summary>
    public const int MaxLevel = 127;

    /// <summary>The scale of a row: <c>max|x| / 127</c>; 1 when the row is all zeros; NaN when it holds a NaN or an infinity.</summary>
    public static float Scale(ReadOnlySpan<float> row, bool vectorized)
    {
        float max = vectorized && Avx.IsSupported ? MaxMagnitudeAvx(row) : MaxMagnitudeScalar(row);
        return ScaleFromMax(max);
    }

    /// <summary>The scale for a row whose largest magnitude is <paramref name="max"/> (NaN for a non-finite row).</summary>
    public static float ScaleFromMax(float max) => max == 0f ? 1f : float.IsFinite(max) ? max / MaxLevel : float.NaN;

    /// <summary>One value: <c>clamp(round_half_even(x / scale), -127, 127)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Quantize(float x, float scale) => (int)Math.Clamp(MathF.Round(x / scale, MidpointRounding.ToEven), -MaxLevel, MaxLevel);

    /// <summary>
    /// Quantizes <paramref name="row"/> with <paramref name="scale"/> into <paramref name="destination"/> as int16 values
    /// (zero-padded past the row); a NaN scale writes zeros.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void QuantizeToInt16(ReadOnlySpan<float> row, float scale, Span<short> destination, bool vectorized)
    {
        destination.Slice(row.Length).Clear();
        if (float.IsNaN(scale))
        {
            destination.Slice(0, row.Length).Clear();
            return;
        }

        int i = 0;
        fixed (float* x = row)
        fixed (short* q = destination)
        {
            if (vectorized && Avx2.IsSupported)
            {
                Vector256<float> s = Vector256.Create(scale);
                for (; i + 16 <= row.Length; i += 16)
                {
                    Vector256<int> lo = QuantizeVector(Avx.LoadVector256(x + i), s);
                    Vector256<int> hi = QuantizeVector(Avx.LoadVector256(x + i + 8), s);
                    Vector256.Narrow(lo, hi).Store(q + i);
                }
            }

            for (; i < row.Length; i++)
            {
                q[i] = (short)Quantize(x[i], scale);
            }
        }
    }

    /// <summary>
    /// Quantizes <paramref name="row"/> with <paramref name="scale"/> into <paramref name="destination"/> as unsigned bytes
    /// <c>q + 128</c> (the <c>vpdpbusd</c> operand), padded with 128 (a zero) past the row; a NaN scale writes zeros (128).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void QuantizeToOffsetBytes(ReadOnlySpan<float> row, float scale, Span<byte> destination, bool vectorized)
    {
        destination.Slice(row.Length).Fill(128);
        if (float.IsNaN(scale))
        {
            destination.Slice(0, row.Length).Fill(128);
            return;
        }

        int i = 0;
        fixed (float* x = row)
        fixed (byte* q = destination)
        {
            if (vectorized && Avx2.IsSupported)
            {
                Vector256<float> s = Vector256.Create(scale);
                Vector256<int> offset = Vector256.Create(128);
                for (; i + 32 <= row.Length; i += 32)
                {
                    Vector256<ushort> a = Vector256.Narrow(
                        (QuantizeVector(Avx.LoadVector256(x + i), s) + offset).AsUInt32(),
                        (QuantizeVector(Avx.LoadVector256(x + i + 8), s) + offset).AsUInt32());
                    Vector256<ushort> b = Vector256.Narrow(
                        (QuantizeVector(Avx.LoadVector256(x + i + 16), s) + offset).AsUInt32(),
                        (QuantizeVector(Avx.LoadVector256(x + i + 24), s) + offset).AsUInt32());
                    Vector256.Narrow(a, b).Store(q + i);
                }
            }

            for (; i < row.Length; i++)
            {
                q[i] = (byte)(Quantize(x[i], scale) + 128);
            }
        }
    }

    /// <summary>Eight values at once, as <see cref="Quantize"/>: divide, round half to even, clamp (in float, then exact to int).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> QuantizeVector(Vector256<float> x, Vector256<float> scale)
    {
        Vector256<float> rounded = Avx.RoundToNearestInteger(Avx.Divide(x, scale));
        Vector256<float> clamped = Avx.Min(Avx.Max(rounded, Vector256.Create(-(float)MaxLevel)), Vector256.Create((float)MaxLevel));
        return Avx.ConvertToVector256Int32WithTruncation(clamped);
    }

    /// <summary><c>max|x|</c>, or NaN when <paramref name="row"/> holds a NaN or an infinity.</summary>
    private static float MaxMagnitudeScalar(ReadOnlySpan<float> row)
    {
        float max = 0f;
        foreach (float x in row)
        {
            if (!float.IsFinite(x))
            {
                return float.NaN;
            }

            max = Math.Max(max, Math.Abs(x));
        }

        return max;
    }

    /// <summary>As <see cref="MaxMagnitudeScalar"/> with AVX; <c>x·0</c> summed alongside flags a NaN or an infinity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float MaxMagnitudeAvx(ReadOnlySpan<float> row)
    {
        fixed (float* x = row)
        {
            int i = 0;
            Vector256<float> max = Vector256<float>.Zero;
            Vector256<float> poison = Vector256<float>.Zero;
            Vector256<float> magnitude = Vector256.Create(0x7FFFFFFF).AsSingle();
            for (; i + 8 <= row.Length; i += 8)
            {
                Vector256<float> v = Avx.LoadVector256(x + i);
                max = Avx.Max(max, Avx.And(v, magnitude));
                poison = Avx.Add(poison, Avx.Multiply(v, Vector256<float>.Zero));
            }

            float result = 0f;
            for (int lane = 0; lane < 8; lane++)
            {
                result = Math.Max(result, max.GetElement(lane));
            }

            if (!float.IsFinite(Vector256.Sum(poison)))
            {
                return float.NaN;
            }

            for (; i < row.Length; i++)
            {
                if (!float.IsFinite(x[i]))
                {
                    return float.NaN;
                }

                result = Math.Max(result, Math.Abs(x[i]));
            }

            return result;
        }
    }
}
