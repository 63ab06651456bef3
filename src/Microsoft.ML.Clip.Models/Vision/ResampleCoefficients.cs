namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// The one-dimensional resampling weights Pillow's <c>precompute_coeffs</c> + <c>normalize_coeffs_8bpc</c>
/// compute for one axis: for every output position, the first input index, the number of taps, and the
/// taps as 22-bit fixed-point integers.
/// </summary>
internal sealed class ResampleCoefficients
{
    /// <summary>Fixed-point fraction bits: 32 − 8 (result) − 2 (headroom for negative lobes / overshoot).</summary>
    public const int PrecisionBits = 32 - 8 - 2;

    /// <summary>The rounding constant every accumulator starts with: one half in fixed point.</summary>
    public const int Half = 1 << (PrecisionBits - 1);

    private ResampleCoefficients(int[] first, int[] count, int[] weights, int taps)
    {
        First = first;
        Count = count;
        Weights = weights;
        Taps = taps;
    }

    /// <summary>For output index i, the first input index it reads.</summary>
    public int[] First { get; }

    /// <summary>For output index i, how many consecutive inputs it reads (≤ <see cref="Taps"/>).</summary>
    public int[] Count { get; }

    /// <summary>Fixed-point weights, <see cref="Taps"/> per output index (<c>[outSize, Taps]</c>, zero-padded).</summary>
    public int[] Weights { get; }

    /// <summary>The row stride of <see cref="Weights"/> (Pillow's <c>ksize</c>).</summary>
    public int Taps { get; }

    /// <summary>
    /// Computes the weights for resampling <paramref name="inSize"/> samples to <paramref name="outSize"/>
    /// over the whole input (Pillow's default box <c>(0, inSize)</c>).
    /// </summary>
    public static ResampleCoefficients Compute(int inSize, int outSize, ResampleFilter filter)
    {
        (Func<double, double> kernel, double filterSupport) = Kernel(filter);

        // Everything below is in double precision, in Pillow's order of operations, so that the
        // fixed-point weights (and therefore every output byte) are identical.
        double scale = (double)(float)inSize / outSize;      // (in1 - in0) is a float difference in Pillow
        double filterScale = scale < 1.0 ? 1.0 : scale;    // widen the filter when shrinking (antialias)
        double support = filterSupport * filterScale;
        int taps = ((int)Math.Ceiling(support) * 2) + 1;
        if ((long)outSize * taps > Array.MaxLength)
        {
            throw new ArgumentException($"Resampling {inSize} → {outSize} needs too many filter taps.");
        }

        var first = new int[outSize];
        var count = new int[outSize];
        var weights = new int[outSize * taps];
        var raw = new double[taps];
        double inverseScale = 1.0 / filterScale;
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale;
            int xmin = (int)(center - support + 0.5);   // C cast: truncation toward zero
            if (xmin < 0)
            {
                xmin = 0;
            }

            int xmax = (int)(center + support + 0.5);
            if (xmax > inSize)
            {
                xmax = inSize;
            }

            xmax -= xmin;
            double sum = 0.0;
            for (int t = 0; t < xmax; t++)
            {
                double w = kernel((t + xmin - center + 0.5) * inverseScale);
                raw[t] = w;
                sum += w;
            }

            for (int t = 0; t < xmax; t++)
            {
                double w = sum != 0.0 ? raw[t] / sum : raw[t];
                // normalize_coeffs_8bpc: round half away from zero into 22-bit fixed point.
                weights[(o * taps) + t] = w < 0
                    ? (int)(-0.5 + (w * (1 << PrecisionBits)))
                    : (int)(0.5 + (w * (1 << PrecisionBits)));
            }

            first[o] = xmin;
            count[o] = xmax;
        }

        return new ResampleCoefficients(first, count, weights, taps);
    }

    private static (Func<double, double> Kernel, double Support) Kernel(ResampleFilter filter) => filter switch
    {
        ResampleFilter.Box => (Box, 0.5),
        ResampleFilter.Bilinear => (Bilinear, 1.0),
        ResampleFilter.Hamming => (Hamming, 1.0),
        ResampleFilter.Bicubic => (Bicubic, 2.0),
        ResampleFilter.Lanczos => (Lanczos, 3.0),
        _ => throw new NotSupportedException(
            $"Resampling filter {filter} ({(int)filter}) is not supported; use BILINEAR (2), BICUBIC (3), LANCZOS (1), BOX (4) or HAMMING (5)."),
    };

    private static double Box(double x) => x > -0.5 && x <= 0.5 ? 1.0 : 0.0;

    private static double Bilinear(double x)
    {
        x = Math.Abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    private static double Hamming(double x)
    {
        x = Math.Abs(x);
        if (x == 0.0)
        {
            return 1.0;
        }

        if (x >= 1.0)
        {
            return 0.0;
        }

        x *= Math.PI;
        // Pillow writes the window constants as C floats (0.54f, 0.46f).
        return Math.Sin(x) / x * (0.54f + (0.46f * Math.Cos(x)));
    }

    private static double Bicubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0)
        {
            return ((((a + 2.0) * x) - (a + 3.0)) * x * x) + 1;
        }

        if (x < 2.0)
        {
            return ((((x - 5) * x) + 8) * x - 4) * a;
        }

        return 0.0;
    }

    private static double Sinc(double x)
    {
        if (x == 0.0)
        {
            return 1.0;
        }

        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    private static double Lanczos(double x) => -3.0 <= x && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0;
}
