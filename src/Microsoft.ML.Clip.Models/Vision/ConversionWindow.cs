namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// The part of a decoded YUV frame worth converting to RGB when only a <see cref="FrameWindow"/> of the RGB frame is
/// wanted: the window widened by <see cref="Margin"/> pixels on each side and aligned to <see cref="Alignment"/>, cut out
/// in YUV (ffmpeg's <c>crop</c> before the PyAV-exact <c>scale</c>), so swscale converts ~60% of a 16:9 frame instead
/// of all of it.
/// </summary>
/// <remarks>
/// swscale's YUV → RGB at the same size computes each output pixel from the luma at that pixel and the chroma samples
/// around it, so the window's pixels come out the same as in the whole frame's conversion as long as every chroma
/// sample they use is inside the cut and the cut starts on a chroma sample (alignment ≥ the subsampling).
/// This was checked, not assumed: <c>ConversionWindowTests</c> decodes every listed format with and without the cut,
/// byte for byte, on landscape, portrait and odd sizes. Formats not listed (RGB, paletted, Bayer, …) are converted whole.
/// </remarks>
internal static class ConversionWindow
{
    /// <summary>Pixels kept on each side of the window (chroma interpolation reads one or two samples around a pixel).</summary>
    internal const int Margin = 16;

    /// <summary>The cut's left and top edges are multiples of this (a chroma sample, and swscale's SIMD blocks, start there).</summary>
    internal const int Alignment = 16;

    /// <summary>
    /// Planar and semi-planar YUV, 8 to 12 bits, subsampled at most 2× each way: the formats the test found
    /// crop-invariant. Not yuv411p: swscale converts it differently depending on the frame's width (every pixel of a
    /// cut differed from the whole frame's, whatever the margin).
    /// </summary>
    private static readonly HashSet<string> Formats = new(StringComparer.Ordinal)
    {
        "yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv440p", "nv12", "nv21",
        "yuv420p10le", "yuv422p10le", "yuv444p10le", "yuv420p12le", "yuv422p12le", "yuv444p12le",
    };

    /// <summary>True when frames of <paramref name="pixelFormat"/> may be cut before the conversion.</summary>
    public static bool Supports(string pixelFormat) => Formats.Contains(pixelFormat);

    /// <summary>
    /// The cut (in the frame's pixels) to convert for <paramref name="window"/> of a <paramref name="width"/>×<paramref name="height"/>
    /// frame of <paramref name="pixelFormat"/>, or null when the whole frame is converted (format not listed, or the cut
    /// would be the whole frame).
    /// </summary>
    public static FrameWindow? For(string pixelFormat, int width, int height, FrameWindow window)
    {
        if (!Supports(pixelFormat))
        {
            return null;
        }

        int left = AlignDown(Math.Max(0, window.Left - Margin));
        int top = AlignDown(Math.Max(0, window.Top - Margin));
        int right = Math.Min(width, AlignUp(window.Left + window.Width + Margin));
        int bottom = Math.Min(height, AlignUp(window.Top + window.Height + Margin));
        var cut = new FrameWindow(left, top, right - left, bottom - top);
        return cut.IsWhole(width, height) ? null : cut;
    }

    /// <summary>
    /// ffmpeg's filter that cuts <paramref name="cut"/> out of a YUV frame. <c>exact=1</c>: by default <c>crop</c> rounds a
    /// subsampled frame's width and height down to whole chroma samples, which would drop the last column or row of a
    /// cut that ends at an odd frame edge (its left and top edges are aligned, so they are exact either way).
    /// </summary>
    public static string CropFilter(FrameWindow cut) => cut.CropFilter + ":exact=1";

    /// <summary><paramref name="window"/> in the coordinates of <paramref name="cut"/> (which contains it).</summary>
    public static FrameWindow Within(FrameWindow cut, FrameWindow window) =>
        new(window.Left - cut.Left, window.Top - cut.Top, window.Width, window.Height);

    private static int AlignDown(int value) => value / Alignment * Alignment;

    private static int AlignUp(int value) => (value + Alignment - 1) / Alignment * Alignment;
}
