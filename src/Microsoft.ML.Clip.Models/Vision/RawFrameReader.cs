namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Reads the raw frames ffmpeg writes to its stdout and turns them into <see cref="RgbImage"/>s: which raw format to
/// ask for, how many bytes a frame has, and the double-buffered streaming to the caller.
/// </summary>
internal static class RawFrameReader
{
    /// <summary>
    /// The raw format to ask ffmpeg for. Videos: always rgb24, converted by <see cref="PyAvRgbConversion"/> as PyAV does.
    /// Images ffmpeg decodes (TIFF, PPM, 16-bit grey PNG, …): gray/ya8/rgba/gray16 where Pillow's <c>convert("RGB")</c>
    /// must be reproduced here, exactly; rgb24 otherwise.
    /// </summary>
    public static (string Format, int BytesPerPixel) OutputFormat(VideoInfo info) => !info.IsImage
        ? ("rgb24", 3)
        : info.PixelFormat switch
        {
            // Pillow opens 16-bit grey as mode I / I;16, whose convert("RGB") clips to 255 instead of scaling.
            "gray16be" or "gray16le" => ("gray16le", 2),
            "gray" or "gray10be" or "gray10le" or "gray12be" or "gray12le" => ("gray", 1),
            "ya8" or "ya16be" or "ya16le" => ("ya8", 2),
            "rgba" or "bgra" or "argb" or "abgr" or "rgba64be" or "rgba64le" or "bgra64be" or "bgra64le" or "pal8"
                or "gbrap" or "gbrap16be" or "gbrap16le" => ("rgba", 4),
            _ => ("rgb24", 3),
        };

    /// <summary>
    /// Reads <paramref name="count"/> raw frames from ffmpeg's stdout and hands each to <paramref name="onFrame"/>.
    /// Streaming (<paramref name="reuseBuffer"/>): two buffers, so the next frame is read from the pipe (and ffmpeg keeps
    /// decoding) while the callback processes this one on another thread; calls never overlap each other, and a
    /// buffer is refilled only after the call that had it returned.
    /// </summary>
    public static int ReadFrames(
        Stream stdout, VideoInfo info, int count, string what, string pixelFormat, int frameBytes, Action<int, RgbImage> onFrame,
        bool reuseBuffer, CancellationToken cancellationToken)
    {
        PipeCapacity.TryEnlarge(stdout, frameBytes);
        byte[][] buffers = reuseBuffer ? [new byte[frameBytes], new byte[frameBytes]] : [];
        Task previousCall = Task.CompletedTask;
        try
        {
            for (int i = 0; i < count; i++)
            {
                byte[] buffer = reuseBuffer ? buffers[i & 1] : new byte[frameBytes];   // a kept image keeps its buffer
                int read = stdout.ReadAtLeast(buffer, frameBytes, throwOnEndOfStream: false);
                cancellationToken.ThrowIfCancellationRequested();   // cancelling kills ffmpeg, which ends the read
                if (read < frameBytes)
                {
                    throw new EndOfStreamException(
                        $"'{info.Path}': decoding stopped after {i} of the {count} wanted frame(s) ({what}); the video has fewer decodable frames than its header says (truncated or corrupt?)");
                }

                previousCall.GetAwaiter().GetResult();
                RgbImage frame = pixelFormat == "rgb24" ? new RgbImage(info.DeliveredWidth, info.DeliveredHeight, buffer) : ToRgb(info, buffer, pixelFormat);
                int index = i;
                if (reuseBuffer)
                {
                    previousCall = Task.Run(() => onFrame(index, frame), cancellationToken);
                }
                else
                {
                    onFrame(index, frame);
                }
            }

            previousCall.GetAwaiter().GetResult();
            return count;
        }
        finally
        {
            // Never return (or throw) while a call still writes somewhere: the caller may reuse its target.
            if (!previousCall.IsCompleted)
            {
                ((IAsyncResult)previousCall).AsyncWaitHandle.WaitOne();   // waits without rethrowing: the first failure is the one reported
            }
        }
    }

    /// <summary>Converts one raw gray / gray16 / gray+alpha / RGBA frame to a new RGB image (Pillow's convert("RGB")).</summary>
    private static RgbImage ToRgb(VideoInfo info, byte[] raw, string pixelFormat) => pixelFormat switch
    {
        "gray" => RgbImage.FromGray8(info.DeliveredWidth, info.DeliveredHeight, raw),
        "gray16le" => RgbImage.FromGray16Clipped(info.DeliveredWidth, info.DeliveredHeight, raw),
        "ya8" => RgbImage.FromGrayAlpha8(info.DeliveredWidth, info.DeliveredHeight, raw),
        _ => RgbImage.FromRgba32(info.DeliveredWidth, info.DeliveredHeight, raw),
    };
}
