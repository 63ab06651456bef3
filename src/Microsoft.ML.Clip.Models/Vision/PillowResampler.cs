using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Pillow's <c>Image.resize</c> for 8-bit RGB images, reproduced bit for bit: the separable, antialiased
/// convolution resampler of <c>libImaging/Resample.c</c> (a horizontal pass, then a vertical pass, each in
/// 22-bit fixed point with rounding and clamping to 0…255 between them).
/// </summary>
/// <remarks>
/// Every output pixel depends only on its own row and column weights, so resizing just a window of the
/// output (what a centre crop keeps) gives exactly the same bytes as resizing everything and cropping —
/// and costs only the window.
/// </remarks>
public static class PillowResampler
{
    private static readonly ConcurrentDictionary<(int In, int Out, ResampleFilter Filter), ResampleCoefficients> Cache = new();

    /// <summary>Resizes <paramref name="image"/> to <paramref name="width"/>×<paramref name="height"/> like Pillow.</summary>
    /// <param name="image">The source image.</param>
    /// <param name="width">The output width (≥ 1).</param>
    /// <param name="height">The output height (≥ 1).</param>
    /// <param name="filter">The resampling filter (not <see cref="ResampleFilter.Nearest"/>).</param>
    /// <returns>A new image (a copy when the size is unchanged, as Pillow returns).</returns>
    public static RgbImage Resize(RgbImage image, int width, int height, ResampleFilter filter) =>
        ResizeWindow(image, width, height, filter, 0, 0, width, height);

    /// <summary>
    /// Resizes <paramref name="image"/> to <paramref name="width"/>×<paramref name="height"/> like Pillow, but
    /// computes and returns only the window <c>[left, left + windowWidth) × [top, top + windowHeight)</c> of the result.
    /// </summary>
    /// <param name="image">The source image.</param>
    /// <param name="width">The full output width.</param>
    /// <param name="height">The full output height.</param>
    /// <param name="filter">The resampling filter.</param>
    /// <param name="left">The first output column kept.</param>
    /// <param name="top">The first output row kept.</param>
    /// <param name="windowWidth">How many output columns are kept.</param>
    /// <param name="windowHeight">How many output rows are kept.</param>
    /// <exception cref="ArgumentOutOfRangeException">The window is not inside the output.</exception>
    public static RgbImage ResizeWindow(
        RgbImage image, int width, int height, ResampleFilter filter, int left, int top, int windowWidth, int windowHeight)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckWindow(width, height, left, top, windowWidth, windowHeight);
        var pixels = new byte[checked(windowWidth * windowHeight * 3)];
        ResizeWindowInto(image, width, height, filter, left, top, windowWidth, windowHeight, pixels);
        return new RgbImage(windowWidth, windowHeight, pixels);
    }

    /// <summary>
    /// <see cref="ResizeWindow"/> into a caller-provided RGB24 buffer of <c>windowWidth × windowHeight × 3</c> bytes;
    /// the intermediate (horizontally resampled) rows come from <see cref="ArrayPool{T}"/>, so nothing is allocated.
    /// </summary>
    internal static void ResizeWindowInto(
        RgbImage image, int width, int height, ResampleFilter filter, int left, int top, int windowWidth, int windowHeight, Span<byte> destination) =>
        ResizeWindowInto(image, FrameWindow.Whole(image.Width, image.Height), image.Width, image.Height,
            width, height, filter, left, top, windowWidth, windowHeight, destination);

    /// <summary>
    /// As <see cref="ResizeWindowInto(RgbImage, int, int, ResampleFilter, int, int, int, int, Span{byte})"/> for an image
    /// that is only the window <paramref name="source"/> of a <paramref name="sourceWidth"/>×<paramref name="sourceHeight"/>
    /// image: the result is the full image's, provided the window holds every pixel read (<see cref="SourceWindow"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The window does not hold every source pixel the output window reads.</exception>
    internal static void ResizeWindowInto(
        RgbImage image, FrameWindow source, int sourceWidth, int sourceHeight,
        int width, int height, ResampleFilter filter, int left, int top, int windowWidth, int windowHeight, Span<byte> destination)
    {
        CheckWindow(width, height, left, top, windowWidth, windowHeight);
        if (destination.Length != windowWidth * windowHeight * 3)
        {
            throw new ArgumentException($"The destination needs {windowWidth}×{windowHeight}×3 bytes but has {destination.Length}.", nameof(destination));
        }

        if (image.Width != source.Width || image.Height != source.Height
            || !FrameWindow.Whole(sourceWidth, sourceHeight).Contains(source)
            || !source.Contains(SourceWindow(sourceWidth, sourceHeight, width, height, filter, left, top, windowWidth, windowHeight)))
        {
            throw new ArgumentException(
                $"The {image.Width}×{image.Height} image as window {source} of a {sourceWidth}×{sourceHeight} image does not hold every pixel " +
                $"the {windowWidth}×{windowHeight} window at ({left}, {top}) of its {width}×{height} resize reads.", nameof(image));
        }

        bool needHorizontal = width != sourceWidth;
        bool needVertical = height != sourceHeight;
        if (!needHorizontal && !needVertical)
        {
            Crop(image, left - source.Left, top - source.Top, windowWidth, windowHeight, destination);   // Pillow returns a copy
            return;
        }

        if (filter == ResampleFilter.Nearest)
        {
            throw new NotSupportedException("Nearest-neighbour resampling (resample 0) is not supported; use BILINEAR (2) or BICUBIC (3).");
        }

        if (!needVertical)
        {
            HorizontalPass(image.Pixels, image.Width, source.Left, top - source.Top, windowHeight, Coefficients(sourceWidth, width, filter),
                left, windowWidth, destination);
            return;
        }

        ResampleCoefficients vertical = Coefficients(sourceHeight, height, filter);
        if (!needHorizontal)
        {
            VerticalPass(image.Pixels, image.Width, left - source.Left, windowWidth, source.Top, vertical, top, windowHeight, destination);
            return;
        }

        // Horizontal pass first (as Pillow), over only the source rows the kept output rows read (Pillow trims to
        // the rows all outputs read; trimming further to the window changes no value), then the vertical pass.
        int firstRow = vertical.First[top];
        int lastRow = vertical.First[top + windowHeight - 1] + vertical.Count[top + windowHeight - 1];
        int intermediateLength = checked((lastRow - firstRow) * windowWidth * 3);
        byte[] intermediate = ArrayPool<byte>.Shared.Rent(intermediateLength);
        try
        {
            HorizontalPass(image.Pixels, image.Width, source.Left, firstRow - source.Top, lastRow - firstRow, Coefficients(sourceWidth, width, filter),
                left, windowWidth, intermediate.AsSpan(0, intermediateLength));
            VerticalPass(intermediate, windowWidth, 0, windowWidth, firstRow, vertical, top, windowHeight, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(intermediate);
        }
    }

    /// <summary>
    /// The smallest window of a <paramref name="sourceWidth"/>×<paramref name="sourceHeight"/> image that holds every pixel
    /// the output window <c>[left, left + windowWidth) × [top, top + windowHeight)</c> of its
    /// <paramref name="width"/>×<paramref name="height"/> resize reads (the whole image for a filter that is not supported).
    /// </summary>
    internal static FrameWindow SourceWindow(
        int sourceWidth, int sourceHeight, int width, int height, ResampleFilter filter, int left, int top, int windowWidth, int windowHeight)
    {
        CheckWindow(width, height, left, top, windowWidth, windowHeight);
        bool resizes = width != sourceWidth || height != sourceHeight;
        if (resizes && filter == ResampleFilter.Nearest)
        {
            return FrameWindow.Whole(sourceWidth, sourceHeight);   // ResizeWindowInto refuses it, naming the filter
        }

        (int x, int columns) = width == sourceWidth ? (left, windowWidth) : Span(Coefficients(sourceWidth, width, filter), left, windowWidth);
        (int y, int rows) = height == sourceHeight ? (top, windowHeight) : Span(Coefficients(sourceHeight, height, filter), top, windowHeight);
        return new FrameWindow(x, y, columns, rows);

        // The source indices outputs [first, first + count) read: from the first one's first tap to the furthest last tap.
        static (int Start, int Length) Span(ResampleCoefficients k, int first, int count)
        {
            int start = k.First[first], end = start;
            for (int o = first; o < first + count; o++)
            {
                start = Math.Min(start, k.First[o]);
                end = Math.Max(end, k.First[o] + k.Count[o]);
            }

            return (start, end - start);
        }
    }

    private static void CheckWindow(int width, int height, int left, int top, int windowWidth, int windowHeight)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"The output size must be positive, but is {width}×{height}.");
        }

        // Only the window is ever allocated, so the full output may be larger than an array could hold.
        if (left < 0 || top < 0 || windowWidth <= 0 || windowHeight <= 0 || left + windowWidth > width || top + windowHeight > height)
        {
            throw new ArgumentOutOfRangeException(nameof(left),
                $"The window {windowWidth}×{windowHeight} at ({left}, {top}) is not inside the {width}×{height} output.");
        }
    }

    internal static ResampleCoefficients Coefficients(int inSize, int outSize, ResampleFilter filter)
    {
        if (Cache.Count > 256)
        {
            Cache.Clear();   // many distinct sizes: keep memory bounded
        }

        return Cache.GetOrAdd((inSize, outSize, filter), key => ResampleCoefficients.Compute(key.In, key.Out, key.Filter));
    }

    private static void Crop(RgbImage image, int left, int top, int width, int height, Span<byte> destination)
    {
        for (int y = 0; y < height; y++)
        {
            image.Pixels.AsSpan((((top + y) * image.Width) + left) * 3, width * 3).CopyTo(destination.Slice(y * width * 3));
        }
    }

    /// <summary>
    /// ImagingResampleHorizontal_8bpc for output columns [left, left + count) of source rows
    /// [firstRow, firstRow + rows). Returns rows × count RGB24 pixels. The source's column 0 is image column
    /// <paramref name="columnOffset"/> (the coefficients index the whole image).
    /// </summary>
    private static unsafe void HorizontalPass(
        byte[] source, int sourceWidth, int columnOffset, int firstRow, int rows, ResampleCoefficients k, int left, int count, Span<byte> output)
    {
        fixed (byte* src = source, dst = output)
        fixed (int* weights = k.Weights, firsts = k.First, counts = k.Count)
        {
            long sourceBytes = source.LongLength;
            for (int y = 0; y < rows; y++)
            {
                byte* inRow = src + ((long)(firstRow + y) * sourceWidth * 3);
                byte* outPixel = dst + ((long)y * count * 3);
                for (int x = left; x < left + count; x++, outPixel += 3)
                {
                    int n = counts[x];
                    int* w = weights + (x * k.Taps);
                    byte* p = inRow + ((firsts[x] - columnOffset) * 3);
                    if (Sse41.IsSupported && (p - src) + (3L * n) < sourceBytes)
                    {
                        // One SIMD multiply-add per tap: lanes R, G, B (+ the next pixel's R, ignored). Reading that
                        // fourth byte stays inside the buffer (checked above). Exact integer arithmetic, as Pillow's.
                        Vector128<int> sum = Vector128.Create(ResampleCoefficients.Half);
                        for (int t = 0; t < n; t++, p += 3)
                        {
                            sum += Sse41.MultiplyLow(Sse41.ConvertToVector128Int32(p), Vector128.Create(w[t]));
                        }

                        outPixel[0] = Clip8(sum.GetElement(0));
                        outPixel[1] = Clip8(sum.GetElement(1));
                        outPixel[2] = Clip8(sum.GetElement(2));
                        continue;
                    }

                    int s0 = ResampleCoefficients.Half, s1 = s0, s2 = s0;
                    for (int t = 0; t < n; t++, p += 3)
                    {
                        int wt = w[t];
                        s0 += p[0] * wt;
                        s1 += p[1] * wt;
                        s2 += p[2] * wt;
                    }

                    outPixel[0] = Clip8(s0);
                    outPixel[1] = Clip8(s1);
                    outPixel[2] = Clip8(s2);
                }
            }
        }

    }

    /// <summary>
    /// ImagingResampleVertical_8bpc for output rows [top, top + rows) and source columns
    /// [columnOffset, columnOffset + width); the source's row 0 is image row <paramref name="rowOffset"/>.
    /// </summary>
    private static void VerticalPass(
        byte[] source, int sourceWidth, int columnOffset, int width, int rowOffset, ResampleCoefficients k, int top, int rows, Span<byte> output)
    {
        int rowBytes = width * 3;
        int[] rented = ArrayPool<int>.Shared.Rent(rowBytes);
        Span<int> accumulator = rented.AsSpan(0, rowBytes);
        for (int y = 0; y < rows; y++)
        {
            int o = top + y;
            int n = k.Count[o];
            int firstSourceRow = k.First[o] - rowOffset;
            accumulator.Fill(ResampleCoefficients.Half);
            for (int t = 0; t < n; t++)
            {
                int start = (((firstSourceRow + t) * sourceWidth) + columnOffset) * 3;
                MultiplyAdd(source.AsSpan(start, rowBytes), k.Weights[(o * k.Taps) + t], accumulator);
            }

            ClipRow(accumulator, output.Slice(y * rowBytes, rowBytes));
        }

        ArrayPool<int>.Shared.Return(rented);
    }

    /// <summary>accumulator[i] += row[i] × weight, vectorised (exact integer arithmetic, so order is irrelevant).</summary>
    private static void MultiplyAdd(ReadOnlySpan<byte> row, int weight, Span<int> accumulator)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<byte>.Count)
        {
            var w = new Vector<int>(weight);
            int step = Vector<byte>.Count;
            int intCount = Vector<int>.Count;
            for (; i <= row.Length - step; i += step)
            {
                Vector.Widen(new Vector<byte>(row.Slice(i)), out Vector<ushort> low, out Vector<ushort> high);
                Vector.Widen(low, out Vector<uint> a, out Vector<uint> b);
                Vector.Widen(high, out Vector<uint> c, out Vector<uint> d);
                Span<int> acc = accumulator.Slice(i);
                (new Vector<int>(acc) + (Vector.AsVectorInt32(a) * w)).CopyTo(acc);
                (new Vector<int>(acc.Slice(intCount)) + (Vector.AsVectorInt32(b) * w)).CopyTo(acc.Slice(intCount));
                (new Vector<int>(acc.Slice(2 * intCount)) + (Vector.AsVectorInt32(c) * w)).CopyTo(acc.Slice(2 * intCount));
                (new Vector<int>(acc.Slice(3 * intCount)) + (Vector.AsVectorInt32(d) * w)).CopyTo(acc.Slice(3 * intCount));
            }
        }

        for (; i < row.Length; i++)
        {
            accumulator[i] += row[i] * weight;
        }
    }

    /// <summary>destination[i] = clip8(accumulator[i]), vectorised.</summary>
    private static void ClipRow(ReadOnlySpan<int> accumulator, Span<byte> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && destination.Length >= Vector<byte>.Count)
        {
            int n = Vector<int>.Count;
            var zero = Vector<int>.Zero;
            var max = new Vector<int>(255);
            for (; i <= destination.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Vector<uint> a = Clamp(accumulator.Slice(i), zero, max);
                Vector<uint> b = Clamp(accumulator.Slice(i + n), zero, max);
                Vector<uint> c = Clamp(accumulator.Slice(i + (2 * n)), zero, max);
                Vector<uint> d = Clamp(accumulator.Slice(i + (3 * n)), zero, max);
                Vector.Narrow(Vector.Narrow(a, b), Vector.Narrow(c, d)).CopyTo(destination.Slice(i));
            }
        }

        for (; i < destination.Length; i++)
        {
            destination[i] = Clip8(accumulator[i]);
        }

        static Vector<uint> Clamp(ReadOnlySpan<int> values, Vector<int> zero, Vector<int> max) =>
            Vector.AsVectorUInt32(Vector.Min(Vector.Max(Vector.ShiftRightArithmetic(new Vector<int>(values), ResampleCoefficients.PrecisionBits), zero), max));
    }

    /// <summary>Pillow's clip8: drop the fraction bits (arithmetic shift) and clamp to 0…255.</summary>
    private static byte Clip8(int value)
    {
        int v = value >> ResampleCoefficients.PrecisionBits;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}
