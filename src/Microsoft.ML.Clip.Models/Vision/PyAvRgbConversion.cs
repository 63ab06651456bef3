namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// The scale filter that converts video frames to RGB24 exactly as PyAV's <c>frame.to_ndarray(format="rgb24")</c> does
/// (PyAV 10, the reformatter behind the X-CLIP documentation's <c>read_video_pyav</c>): the same libswscale call with the
/// same parameters gives the same bytes.
/// </summary>
/// <remarks>
/// PyAV creates its swscale context with <c>SWS_BILINEAR</c> and no colour details, so swscale's defaults apply: the
/// BT.601 matrix whatever the stream is tagged, limited range except for the <c>yuvj*</c> and grey formats, which
/// swscale treats as full range. The ffmpeg command line instead scales with bicubic chroma and takes matrix and range
/// from the frames' tags, which differs on 10/12-bit video (max 183/255 measured), BT.709/BT.2020-tagged video (42/255),
/// odd heights and 10-bit video flagged full range. Stating flags, matrix and range explicitly reproduces PyAV.
/// </remarks>
internal static class PyAvRgbConversion
{
    /// <summary>The filter (<c>scale=…</c>) for frames decoded in <paramref name="pixelFormat"/> (ffprobe's <c>pix_fmt</c>).</summary>
    public static string Filter(string pixelFormat) =>
        $"scale=flags=bilinear:in_color_matrix=bt601:in_range={(IsFullRangeByDefault(pixelFormat) ? "pc" : "tv")}";

    /// <summary>The formats swscale takes as full range when told nothing (its <c>handle_jpeg</c>): yuvj*, grey, grey+alpha.</summary>
    internal static bool IsFullRangeByDefault(string pixelFormat) =>
        pixelFormat.StartsWith("yuvj", StringComparison.Ordinal)
        || pixelFormat.StartsWith("gray", StringComparison.Ordinal)
        || pixelFormat.StartsWith("ya", StringComparison.Ordinal);
}
