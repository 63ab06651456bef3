using System.Globalization;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// The ffmpeg runs that decode frames: one sequential run with a <c>select</c> filter, or one input seek per frame,
/// each piping raw frames to <see cref="RawFrameReader"/>. Video frames are converted to RGB as PyAV converts them
/// (<see cref="PyAvRgbConversion"/>) and, unless <see cref="VideoDecoder.ApplyDisplayRotation"/>, not rotated (as PyAV).
/// </summary>
internal static class FfmpegFrameDecoder
{
    /// <summary>
    /// One ffmpeg run: a select filter keeps the wanted frames; output stops after the last one. (When the frames are
    /// too many and scattered for one expression, every frame up to the last is piped and the others dropped here.)
    /// </summary>
    public static async Task DecodeBySelectAsync(
        VideoDecoder decoder, VideoInfo info, int[] sortedIndices, Action<int, RgbImage> onFrame, bool reuseBuffer,
        CancellationToken cancellationToken)
    {
        List<string> arguments = InputArguments(decoder, info, seekSeconds: null);
        SelectedFrames selected = SelectedFrames.For(sortedIndices);
        await AddOutputArgumentsAsync(decoder, info, arguments, selected.SelectFilter, selected.OutputCount, cancellationToken)
            .ConfigureAwait(false);
        await DecodeAsync(decoder, info, arguments, selected.OutputCount, selected.Description, selected.Deliver(onFrame), reuseBuffer, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Decodes a still image ffmpeg reads (TIFF, PPM, 16-bit grey PNG, …) and undoes its orientation (a TIFF's tag,
    /// which Pillow applies when it loads a TIFF): ffmpeg decodes the stored pixels, of the stored size.
    /// </summary>
    public static async Task<RgbImage> DecodeImageAsync(VideoDecoder decoder, VideoInfo info, CancellationToken cancellationToken)
    {
        VideoInfo stored = ImageOrientation.SwapsAxes(info.ExifOrientation) ? info with { Width = info.Height, Height = info.Width } : info;
        RgbImage? decoded = null;
        await DecodeBySelectAsync(decoder, stored, [0], (_, frame) => decoded = frame, reuseBuffer: false, cancellationToken).ConfigureAwait(false);
        return ImageOrientation.Apply(decoded!, info.ExifOrientation);
    }

    /// <summary>
    /// Seeks (input -ss: to the keyframe before, then decoding up to the time) to half a frame before the wanted
    /// frame and takes one frame. Returns false when the seek produced no frame (some containers, e.g. MPEG-TS, cannot
    /// seek reliably); the caller then decodes that frame sequentially.
    /// </summary>
    public static async Task<bool> DecodeBySeekAsync(
        VideoDecoder decoder, VideoInfo info, int index, Action<int, RgbImage> onFrame, bool reuseBuffer, CancellationToken cancellationToken)
    {
        double? seconds = index > 0 ? Math.Max(0, (index - 0.5) / info.FramesPerSecond) : null;
        List<string> arguments = InputArguments(decoder, info, seconds);
        await AddOutputArgumentsAsync(decoder, info, arguments, selectFilter: null, count: 1, cancellationToken).ConfigureAwait(false);
        try
        {
            await DecodeAsync(decoder, info, arguments, 1, $"frame {index}", (_, frame) => onFrame(index, frame), reuseBuffer, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (VideoDecodingException e) when (e.InnerException is EndOfStreamException)
        {
            return false;
        }
    }

    /// <summary>Everything up to and including <c>-i</c>: the seek, decoding threads and rotation are input options.</summary>
    internal static List<string> InputArguments(VideoDecoder decoder, VideoInfo info, double? seekSeconds)
    {
        var arguments = new List<string> { "-nostdin", "-v", "error" };
        if (seekSeconds is double seconds)
        {
            arguments.AddRange(["-ss", seconds.ToString("0.######", CultureInfo.InvariantCulture)]);
        }

        if (decoder.Threads > 0)
        {
            arguments.AddRange(["-threads", decoder.Threads.ToString(CultureInfo.InvariantCulture)]);
        }

        if (!info.IsImage && !decoder.ApplyDisplayRotation)
        {
            arguments.Add("-noautorotate");   // frames as stored, as PyAV returns them
        }

        arguments.AddRange(["-i", info.InputUrl, "-map", "0:v:0", "-an", "-sn", "-dn"]);
        return arguments;
    }

    /// <summary>The filters (frame selection, then the RGB conversion of videos), frame passthrough and the frame count.</summary>
    private static async Task AddOutputArgumentsAsync(
        VideoDecoder decoder, VideoInfo info, List<string> arguments, string? selectFilter, int count, CancellationToken cancellationToken)
    {
        string filterGraph = FilterGraph(info, selectFilter, decoder.ConvertsOnlyAroundTheWindow);
        if (filterGraph.Length > 0)
        {
            arguments.AddRange(["-vf", filterGraph]);
        }

        arguments.AddRange(await FfmpegCapabilities.PassthroughArgumentsAsync(decoder.Tools.FfmpegPath, cancellationToken).ConfigureAwait(false));
        arguments.AddRange(["-frames:v", count.ToString(CultureInfo.InvariantCulture)]);
    }

    /// <summary>
    /// The filter graph: the frame selection (if any), then the RGB conversion of videos, then the crop to
    /// <see cref="VideoInfo.Window"/> (after the conversion, so the kept pixels are the whole frame's); empty when none.
    /// With <paramref name="convertAroundWindow"/>, a YUV frame is first cut to <see cref="ConversionWindow"/> (the window
    /// and a margin), so only that part is converted: the same pixels.
    /// </summary>
    internal static string FilterGraph(VideoInfo info, string? selectFilter, bool convertAroundWindow)
    {
        string? conversion = info.IsImage ? null : PyAvRgbConversion.Filter(info.PixelFormat);
        FrameWindow? cut = conversion is not null && convertAroundWindow && info.Window is { } window
            ? ConversionWindow.For(info.PixelFormat, info.Width, info.Height, window)
            : null;
        string?[] filters = cut is { } before
            ? [selectFilter, ConversionWindow.CropFilter(before), conversion, ConversionWindow.Within(before, info.Window!.Value).CropFilter]
            : [selectFilter, conversion, info.Window?.CropFilter];
        return string.Join(",", filters.Where(f => f is not null));
    }

    /// <summary>The output arguments that write raw frames of <paramref name="pixelFormat"/> to stdout.</summary>
    internal static string[] RawOutputArguments(string pixelFormat) => ["-f", "rawvideo", "-pix_fmt", pixelFormat, "pipe:1"];

    /// <summary>
    /// Reads the raw frames from ffmpeg's stdout with blocking reads of whole frames on a thread of its own: cheaper than
    /// asynchronous reads of the pipe's 64 KiB chunks (≈ 10% of a dense 1080p decode), and no thread-pool thread is held.
    /// </summary>
    internal static Task<int> ReadFramesAsync(
        Stream stdout, VideoInfo info, int count, string what, Action<int, RgbImage> onFrame, bool reuseBuffer, CancellationToken cancellationToken)
    {
        (string pixelFormat, int bytesPerPixel) = RawFrameReader.OutputFormat(info);
        int frameBytes = checked((int)RgbImage.CheckedSize(info.DeliveredWidth, info.DeliveredHeight, bytesPerPixel));
        return Task.Factory.StartNew(
            () => RawFrameReader.ReadFrames(stdout, info, count, what, pixelFormat, frameBytes, onFrame, reuseBuffer, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The exception for a run whose frames did not all arrive, with what ffmpeg said.</summary>
    internal static VideoDecodingException Failure(VideoInfo info, ProcessOutputException e) =>
        new(info.Path, e.Message + FfmpegProcess.Detail(e.StandardError) + ".", e.InnerException);

    /// <summary>Runs ffmpeg and hands each of the <paramref name="count"/> raw frames it writes to <paramref name="onFrame"/>.</summary>
    private static async Task DecodeAsync(
        VideoDecoder decoder, VideoInfo info, List<string> arguments, int count, string what, Action<int, RgbImage> onFrame,
        bool reuseBuffer, CancellationToken cancellationToken)
    {
        arguments.AddRange(RawOutputArguments(RawFrameReader.OutputFormat(info).Format));
        try
        {
            // Every wanted frame arrives complete or the reader throws, so a complaint ffmpeg makes after them
            // (about a truncated tail, say) does not matter: the exit code is not checked.
            await FfmpegProcess.RunAsync(decoder.Tools.FfmpegPath, arguments, info.Path,
                (stdout, ct) => ReadFramesAsync(stdout, info, count, what, onFrame, reuseBuffer, ct), cancellationToken, stopWhenRead: true)
                .ConfigureAwait(false);
        }
        catch (ProcessOutputException e)
        {
            throw Failure(info, e);
        }
    }
}
