using System.Globalization;
using System.Text.Json;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Probing with <c>ffprobe</c>: a file's first video stream (size, pixel format, frame count, frame rate, duration,
/// rotation; a TIFF's orientation tag) and frame counting. Used for videos and for the images Skia does not read.
/// </summary>
internal static class FfprobeProbe
{
    /// <summary>Probes <paramref name="source"/> (its file) with the decoder's tools and settings.</summary>
    public static async Task<VideoInfo> ProbeAsync(VideoDecoder decoder, VideoInfo source, CancellationToken cancellationToken)
    {
        string path = source.Path;
        ProcessResult<string> result = await RunAsync(decoder.Tools, source,
        [
            "-v", "error", "-select_streams", "v:0",
            "-show_entries",
            "stream=codec_name,width,height,pix_fmt,nb_frames,avg_frame_rate,r_frame_rate,duration:stream_tags=rotate:stream_side_data=rotation:format=format_name,duration",
            "-of", "json", "-i", source.InputUrl,
        ], cancellationToken).ConfigureAwait(false);

        JsonElement stream;
        JsonElement format;
        try
        {
            using JsonDocument document = JsonDocument.Parse(result.Value);
            JsonElement root = document.RootElement;
            if (!root.TryGetProperty("streams", out JsonElement streams) || streams.GetArrayLength() == 0)
            {
                throw new VideoDecodingException(path,
                    $"'{path}' has no video stream: it is not a video or image file ffmpeg can read{FfmpegProcess.Detail(result.StandardError)}.");
            }

            stream = streams[0].Clone();
            format = root.TryGetProperty("format", out JsonElement f) ? f.Clone() : default;
        }
        catch (JsonException e)
        {
            throw new VideoDecodingException(path, $"ffprobe's description of '{path}' could not be read: {e.Message}.", e);
        }

        int width = IntOf(stream, "width");
        int height = IntOf(stream, "height");
        if (width <= 0 || height <= 0)
        {
            throw new VideoDecodingException(path,
                $"'{path}': the video stream has no valid frame size ({width}×{height}); the file may be corrupt or truncated{FfmpegProcess.Detail(result.StandardError)}.");
        }

        string formatName = StringOf(format, "format_name");
        bool isImage = formatName.EndsWith("_pipe", StringComparison.Ordinal) || formatName is "image2" or "png" or "bmp" or "tiff";
        int rotation = Rotation(stream);
        if (!isImage)
        {
            (width, height) = DisplaySize(decoder, rotation, width, height);
        }

        string codec = StringOf(stream, "codec_name");
        double fps = Rate(StringOf(stream, "avg_frame_rate"));
        if (fps <= 0)
        {
            fps = Rate(StringOf(stream, "r_frame_rate"));
        }

        double duration = DoubleOf(stream, "duration");
        if (duration <= 0)
        {
            duration = DoubleOf(format, "duration");
        }

        VideoInfo info = source with
        {
            Width = width,
            Height = height,
            FrameCount = 1,
            FrameCountSource = "image",
            FramesPerSecond = isImage ? 0 : fps,
            DurationSeconds = isImage ? 0 : duration,
            Rotation = rotation,
            CodecName = codec,
            ContainerFormat = formatName,
            PixelFormat = StringOf(stream, "pix_fmt"),
            IsImage = isImage,
        };
        if (isImage)
        {
            return WithTiffOrientation(info);
        }

        // Container frame counts can be absent (Matroska, WebM, some MPEG-TS) or wrong (edited/truncated files):
        // trust nb_frames only when it agrees with duration × fps, else count packets (demuxing only, no decoding).
        int declared = IntOf(stream, "nb_frames");
        double expected = duration * fps;
        if (declared > 0 && (expected <= 0 || AgreesWithDuration(declared, expected)))
        {
            return info with { FrameCount = declared, FrameCountSource = "nb_frames" };
        }

        if (expected > decoder.CountingLimit && expected < int.MaxValue)
        {
            return info with { FrameCount = (int)Math.Floor(expected), FrameCountSource = "duration" };
        }

        int counted = await CountAsync(decoder.Tools, info, "-count_packets", "nb_read_packets", cancellationToken).ConfigureAwait(false);
        if (counted <= 0)
        {
            throw new VideoDecodingException(path, $"'{path}' contains no video frames (zero-length or corrupt video).");
        }

        return info with { FrameCount = counted, FrameCountSource = "packets" };
    }

    /// <summary>
    /// The rule that decides whether a container's frame count (<c>nb_frames</c>) is trusted: within 2 frames, or 2%, of
    /// duration × frame rate (edited or truncated files declare counts that are not).
    /// </summary>
    internal static bool AgreesWithDuration(long declared, double expected) => Math.Abs(declared - expected) <= Math.Max(2.0, 0.02 * expected);

    /// <summary>The frame size the decoder delivers: swapped for a ±90° rotation when ffmpeg's autorotation is asked for.</summary>
    internal static (int Width, int Height) DisplaySize(VideoDecoder decoder, int rotation, int width, int height) =>
        decoder.ApplyDisplayRotation && Math.Abs(rotation) % 180 == 90 ? (height, width) : (width, height);

    /// <summary>A TIFF's orientation tag, read from the file (ffmpeg ignores it); the size is the oriented one.</summary>
    private static VideoInfo WithTiffOrientation(VideoInfo info)
    {
        if (!info.IsImage || info.CodecName != "tiff")
        {
            return info;
        }

        // TIFF's orientation tag (ffmpeg ignores it) is a baseline TIFF tag that Pillow applies when it loads the pixels,
        // whatever ApplyExifOrientation asks (Pillow 9.4's exif_transpose then applies it a second time; docs/decoding.md).
        int orientation;
        using (var file = new FileStream(info.LocalFile ?? info.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096))
        {
            orientation = ImageOrientation.ReadTiff(file);
        }

        return ImageOrientation.SwapsAxes(orientation)
            ? info with { ExifOrientation = orientation, Width = info.Height, Height = info.Width }
            : info with { ExifOrientation = orientation };
    }

    /// <summary>Counts packets (<c>-count_packets</c>) or decoded frames (<c>-count_frames</c>) of the first video stream.</summary>
    public static async Task<int> CountAsync(FfmpegTools tools, VideoInfo source, string flag, string field, CancellationToken cancellationToken)
    {
        ProcessResult<string> result = await RunAsync(tools, source,
            ["-v", "error", "-select_streams", "v:0", flag, "-show_entries", "stream=" + field, "-of", "json", "-i", source.InputUrl],
            cancellationToken).ConfigureAwait(false);
        try
        {
            using JsonDocument document = JsonDocument.Parse(result.Value);
            return document.RootElement.TryGetProperty("streams", out JsonElement streams) && streams.GetArrayLength() > 0
                ? IntOf(streams[0], field)
                : 0;
        }
        catch (JsonException e)
        {
            throw new VideoDecodingException(source.Path, $"ffprobe's frame count for '{source.Path}' could not be read: {e.Message}.", e);
        }
    }

    private static async Task<ProcessResult<string>> RunAsync(
        FfmpegTools tools, VideoInfo source, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ProcessResult<string> result = await FfmpegProcess.RunForTextAsync(
            tools.FfprobePath, arguments, source.Path, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode is int code && code != 0)
        {
            throw new VideoDecodingException(source.Path,
                $"'{source.Path}' could not be opened as a video or image (ffprobe exit code {code}){FfmpegProcess.Detail(result.StandardError)}.");
        }

        return result;
    }

    private static int Rotation(JsonElement stream)
    {
        if (stream.TryGetProperty("side_data_list", out JsonElement sideData) && sideData.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement entry in sideData.EnumerateArray())
            {
                if (entry.TryGetProperty("rotation", out JsonElement r) && r.ValueKind == JsonValueKind.Number)
                {
                    return (int)Math.Round(r.GetDouble());
                }
            }
        }

        return stream.TryGetProperty("tags", out JsonElement tags) && int.TryParse(StringOf(tags, "rotate"), out int rotate) ? rotate : 0;
    }

    private static string StringOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String
            ? v.GetString() ?? ""
            : "";

    private static int IntOf(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out JsonElement v))
        {
            return 0;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetInt32(out int i) => i,
            JsonValueKind.String when int.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) => i,
            _ => 0,
        };
    }

    private static double DoubleOf(JsonElement element, string name) =>
        double.TryParse(StringOf(element, name), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d : 0;

    private static double Rate(string fraction)
    {
        string[] parts = fraction.Split('/');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double num)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double den)
            && den > 0)
        {
            return num / den;
        }

        return 0;
    }
}
