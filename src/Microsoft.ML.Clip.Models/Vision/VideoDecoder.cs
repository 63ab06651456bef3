using System.Globalization;
using System.Text.Json;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Decodes videos and images with the <c>ffmpeg</c>/<c>ffprobe</c> programs through pipes of raw frames: probes the
/// file, then decodes only the requested frames (streamed, at most two frames in flight; no temporary files).
/// </summary>
/// <remarks>
/// Frames come out exactly as <c>ffmpeg -i FILE -f rawvideo -pix_fmt rgb24 -</c> (and PyAV's
/// <c>to_ndarray(format="rgb24")</c>) decodes them. Grayscale and alpha images are converted like Pillow's
/// <c>convert("RGB")</c>: gray replicated, alpha dropped without compositing (ffmpeg is asked for the
/// gray/RGBA bytes and the conversion is done here, so it is exact).
/// Frame selection: when the wanted frames lie within the first <see cref="SeekThreshold"/> frames, or are dense,
/// one ffmpeg run with a <c>select</c> filter keeps exactly frames <c>n</c> = the indices (frame-exact). Otherwise
/// (sparse frames in a long video) each frame is reached by a fast input seek to its timestamp (several seeks at once,
/// <see cref="MaxConcurrentSeeks"/>), which is
/// frame-exact for constant-frame-rate videos in indexed containers (MP4/MOV, Matroska/WebM, AVI) and does not
/// decode the whole file; a frame a seek cannot deliver is decoded sequentially instead.
/// </remarks>
public sealed class VideoDecoder
{
    /// <summary>Creates a decoder.</summary>
    /// <param name="tools">The ffmpeg/ffprobe locations; <see cref="FfmpegTools.Default"/> when null.</param>
    public VideoDecoder(FfmpegTools? tools = null)
    {
        Tools = tools ?? FfmpegTools.Default;
    }

    /// <summary>The ffmpeg/ffprobe locations.</summary>
    public FfmpegTools Tools { get; }

    /// <summary>
    /// Frame indices up to this use a single sequential decode with a select filter; beyond it, sparse indices
    /// (fewer than one wanted frame per <see cref="SeekThreshold"/>/8 frames) are reached by seeking. Default 1500.
    /// </summary>
    public int SeekThreshold { get; init; } = 1500;

    /// <summary>Forces the seeking strategy for every video (mainly for tests; select is frame-exact for any video).</summary>
    public bool AlwaysSeek { get; init; }

    /// <summary>
    /// When a container gives no usable frame count, packets are counted (the whole file is read, not decoded) —
    /// unless duration × fps says the video has more than this many frames (default 100 000, about an hour at
    /// 25 fps); then that estimate is used (<see cref="VideoInfo.FrameCountSource"/> <c>duration</c>), which is
    /// accurate to a few frames and changes no uniformly sampled index of a long video.
    /// </summary>
    public int CountingLimit { get; init; } = 100_000;

    /// <summary>
    /// Decoding threads per ffmpeg process (<c>-threads</c>); 0 (the default) lets ffmpeg choose (one per core). When
    /// several files are decoded at once, 1 each is faster in total: frame threading costs more than it gains once
    /// every core already runs a decoder. Any value gives the same frames.
    /// </summary>
    public int Threads
    {
        get => _threads;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(Threads));
            _threads = value;
        }
    }

    private readonly int _threads;

    /// <summary>
    /// How many seeking ffmpeg runs (sparse frames of a long video, one run per frame) go at once; default: the number
    /// of cores, at least 2. Any value gives the same frames.
    /// </summary>
    public int MaxConcurrentSeeks
    {
        get => _maxConcurrentSeeks;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxConcurrentSeeks));
            _maxConcurrentSeeks = value;
        }
    }

    private readonly int _maxConcurrentSeeks = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// The decoder to use while <paramref name="processes"/> ffmpeg runs go at once (several files, or several seeks):
    /// the cores are shared out as decoding threads, and a file's seeks no longer multiply the processes. This decoder
    /// itself when there is one run, or when <see cref="Threads"/> was set explicitly.
    /// </summary>
    internal VideoDecoder ForConcurrentRuns(int processes) => processes <= 1 || Threads != 0
        ? this
        : new VideoDecoder(Tools)
        {
            SeekThreshold = SeekThreshold,
            AlwaysSeek = AlwaysSeek,
            CountingLimit = CountingLimit,
            Threads = Math.Max(1, Environment.ProcessorCount / processes),
            MaxConcurrentSeeks = 1,
        };

    /// <summary>Probes a file: size, frame count, frame rate, duration, rotation.</summary>
    /// <param name="path">The video or image file.</param>
    /// <param name="cancellationToken">Cancels the probe (killing ffprobe).</param>
    public VideoInfo Probe(string path, CancellationToken cancellationToken = default) =>
        ProbeAsync(path, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Probes a file: size, frame count, frame rate, duration, rotation.</summary>
    /// <param name="path">The video or image file.</param>
    /// <param name="cancellationToken">Cancels the probe (killing ffprobe).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="VideoDecodingException">The file has no decodable video stream.</exception>
    /// <exception cref="FfmpegNotFoundException">ffprobe is not installed.</exception>
    public Task<VideoInfo> ProbeAsync(string path, CancellationToken cancellationToken = default)
    {
        CheckExists(path);
        return ProbeAsync(new VideoInfo { Path = path, Width = 0, Height = 0, FrameCount = 0, FrameCountSource = "" }, cancellationToken);
    }

    /// <summary>Decodes an encoded image held in memory (PNG, JPEG, … bytes), fed to ffmpeg through a pipe.</summary>
    /// <param name="encoded">The encoded file's bytes.</param>
    /// <param name="name">A name for error messages (e.g. the row or URL it came from).</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    public RgbImage DecodeImage(ReadOnlyMemory<byte> encoded, string name = "in-memory image", CancellationToken cancellationToken = default) =>
        DecodeImageAsync(encoded, name, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Decodes an encoded image held in memory (PNG, JPEG, … bytes), fed to ffmpeg through a pipe.</summary>
    /// <param name="encoded">The encoded file's bytes.</param>
    /// <param name="name">A name for error messages.</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    /// <exception cref="VideoDecodingException">The bytes are not an image ffmpeg can read.</exception>
    public async Task<RgbImage> DecodeImageAsync(ReadOnlyMemory<byte> encoded, string name = "in-memory image", CancellationToken cancellationToken = default)
    {
        if (encoded.IsEmpty)
        {
            throw new VideoDecodingException(name, $"'{name}' is empty: 0 bytes cannot be an image.");
        }

        var source = new VideoInfo { Path = name, Width = 0, Height = 0, FrameCount = 0, FrameCountSource = "", EncodedData = encoded };
        VideoInfo info = await ProbeAsync(source, cancellationToken).ConfigureAwait(false);
        return (await ReadFramesAsync(info, [0], cancellationToken).ConfigureAwait(false))[0];
    }

    private async Task<VideoInfo> ProbeAsync(VideoInfo source, CancellationToken cancellationToken)
    {
        string path = source.Path;
        ProcessResult<string> result = await RunProbeAsync(source,
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
                    $"'{path}' has no video stream: it is not a video or image file ffmpeg can read{Detail(result.StandardError)}.");
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
                $"'{path}': the video stream has no valid frame size ({width}×{height}); the file may be corrupt or truncated{Detail(result.StandardError)}.");
        }

        int rotation = Rotation(stream);
        if (Math.Abs(rotation) % 180 == 90)
        {
            (width, height) = (height, width);   // ffmpeg auto-rotates: decoded frames are upright
        }

        string formatName = StringOf(format, "format_name");
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

        bool isImage = formatName.EndsWith("_pipe", StringComparison.Ordinal) || formatName is "image2" or "png" or "bmp" or "tiff";
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
            return info;
        }

        // Container frame counts can be absent (Matroska, WebM, some MPEG-TS) or wrong (edited/truncated files):
        // trust nb_frames only when it agrees with duration × fps, else count packets (demuxing only, no decoding).
        int declared = IntOf(stream, "nb_frames");
        double expected = duration * fps;
        bool plausible = declared > 0 && (expected <= 0 || Math.Abs(declared - expected) <= Math.Max(2.0, 0.02 * expected));
        if (plausible)
        {
            return info with { FrameCount = declared, FrameCountSource = "nb_frames" };
        }

        if (expected > CountingLimit && expected < int.MaxValue)
        {
            return info with { FrameCount = (int)Math.Floor(expected), FrameCountSource = "duration" };
        }

        int counted = await CountAsync(info, "-count_packets", "nb_read_packets", cancellationToken).ConfigureAwait(false);
        if (counted <= 0)
        {
            throw new VideoDecodingException(path, $"'{path}' contains no video frames (zero-length or corrupt video).");
        }

        return info with { FrameCount = counted, FrameCountSource = "packets" };
    }

    /// <summary>Counts the frames of a file by decoding all of it (exact, slow for long videos).</summary>
    /// <param name="path">The video file.</param>
    /// <param name="cancellationToken">Cancels the count (killing ffprobe).</param>
    public Task<int> CountFramesByDecodingAsync(string path, CancellationToken cancellationToken = default)
    {
        CheckExists(path);
        return CountAsync(new VideoInfo { Path = path, Width = 0, Height = 0, FrameCount = 0, FrameCountSource = "" },
            "-count_frames", "nb_read_frames", cancellationToken);
    }

    /// <summary>Decodes a still image (or the first frame of a video) to RGB.</summary>
    /// <param name="path">The image file (PNG, JPEG, BMP, WebP, …).</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    public RgbImage ReadImage(string path, CancellationToken cancellationToken = default) =>
        ReadImageAsync(path, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Decodes a still image (or the first frame of a video) to RGB.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    public async Task<RgbImage> ReadImageAsync(string path, CancellationToken cancellationToken = default)
    {
        VideoInfo info = await ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        RgbImage[] frames = await ReadFramesAsync(info, [0], cancellationToken).ConfigureAwait(false);
        return frames[0];
    }

    /// <summary>Decodes the frames at the given indices (0-based, in any order, repeats allowed).</summary>
    /// <param name="path">The video file.</param>
    /// <param name="frameIndices">The frames wanted; each must be below the probed frame count.</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    /// <returns>One image per index, in the order of <paramref name="frameIndices"/>.</returns>
    public RgbImage[] ReadFrames(string path, IReadOnlyList<int> frameIndices, CancellationToken cancellationToken = default) =>
        ReadFramesAsync(path, frameIndices, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Decodes the frames at the given indices (0-based, in any order, repeats allowed).</summary>
    /// <param name="path">The video file.</param>
    /// <param name="frameIndices">The frames wanted.</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    public async Task<RgbImage[]> ReadFramesAsync(string path, IReadOnlyList<int> frameIndices, CancellationToken cancellationToken = default)
    {
        VideoInfo info = await ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        return await ReadFramesAsync(info, frameIndices, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Decodes the frames at the given indices of an already probed file.</summary>
    /// <param name="info">The probe result for the file.</param>
    /// <param name="frameIndices">The frames wanted; each in <c>[0, info.FrameCount)</c>.</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    /// <returns>One image per index, in the order of <paramref name="frameIndices"/> (repeated indices share one image).</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the video.</exception>
    /// <exception cref="VideoDecodingException">Decoding failed or the video ended before a wanted frame (truncated file).</exception>
    public async Task<RgbImage[]> ReadFramesAsync(VideoInfo info, IReadOnlyList<int> frameIndices, CancellationToken cancellationToken = default)
    {
        var decoded = new Dictionary<int, RgbImage>();
        await DecodeCoreAsync(info, frameIndices, (index, frame) => decoded[index] = frame, reuseBuffer: false, cancellationToken)
            .ConfigureAwait(false);
        return frameIndices.Select(i => decoded[i]).ToArray();
    }

    /// <summary>
    /// Streams the frames at the given indices: <paramref name="onFrame"/> is called once per distinct index (in no
    /// guaranteed order; one call at a time, on a thread-pool thread while the next frame is read) with a frame that is
    /// only valid during the call — its buffer is reused two frames later, so at most two decoded frames are held in
    /// memory. <see cref="RgbImage.Clone"/> it to keep it.
    /// </summary>
    /// <param name="info">The probe result for the file.</param>
    /// <param name="frameIndices">The frames wanted; each in <c>[0, info.FrameCount)</c>; repeats are delivered once.</param>
    /// <param name="onFrame">Receives (frame index, frame).</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the video.</exception>
    /// <exception cref="VideoDecodingException">Decoding failed or the video ended before a wanted frame (truncated file).</exception>
    public Task ForEachFrameAsync(
        VideoInfo info, IReadOnlyList<int> frameIndices, Action<int, RgbImage> onFrame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        return DecodeCoreAsync(info, frameIndices, onFrame, reuseBuffer: true, cancellationToken);
    }

    private async Task DecodeCoreAsync(
        VideoInfo info, IReadOnlyList<int> frameIndices, Action<int, RgbImage> onFrame, bool reuseBuffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(frameIndices);
        foreach (int index in frameIndices)
        {
            if (index < 0 || index >= info.FrameCount)
            {
                throw new ArgumentOutOfRangeException(nameof(frameIndices),
                    $"Frame {index} was requested from '{info.Path}', which has {info.FrameCount} frame(s) (0…{info.FrameCount - 1}).");
            }
        }

        int[] distinct = frameIndices.Distinct().Order().ToArray();
        if (distinct.Length == 0)
        {
            return;
        }

        bool seek = !info.IsImage && info.EncodedData is null && info.FramesPerSecond > 0 &&
            (AlwaysSeek || (distinct[^1] >= SeekThreshold && (long)distinct.Length * (SeekThreshold / 8) < distinct[^1]
                && HasSeekIndex(info.ContainerFormat)));
        int[] sequential = distinct;
        if (seek)
        {
            // The seeks are independent ffmpeg runs: several at once (one decoding thread each), their calls serialised.
            int concurrency = Math.Min(distinct.Length, MaxConcurrentSeeks);
            VideoDecoder seeker = ForConcurrentRuns(concurrency);
            var gate = new object();
            Action<int, RgbImage> deliver = concurrency > 1 ? (index, frame) => { lock (gate) { onFrame(index, frame); } } : onFrame;
            bool[] sought = await ConcurrentWork.RunAsync(distinct.Length, concurrency,
                (k, ct) => seeker.DecodeBySeekAsync(info, distinct[k], deliver, reuseBuffer, ct), cancellationToken).ConfigureAwait(false);
            sequential = distinct.Where((_, k) => !sought[k]).ToArray();   // frames a seek could not reach: decoded in order below
        }

        if (sequential.Length > 0)
        {
            await DecodeBySelectAsync(info, sequential, onFrame, reuseBuffer, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One ffmpeg run: a select filter keeps the wanted frames; output stops after the last one. (When the frames are
    /// too many and scattered for one expression, every frame up to the last is piped and the others dropped here.)
    /// </summary>
    private Task DecodeBySelectAsync(
        VideoInfo info, int[] sortedIndices, Action<int, RgbImage> onFrame, bool reuseBuffer, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "-nostdin", "-v", "error" };
        arguments.AddRange(ThreadArguments());
        arguments.AddRange(["-i", info.InputUrl, "-map", "0:v:0", "-an", "-sn", "-dn"]);
        bool everyFrameFromStart = sortedIndices[^1] == sortedIndices.Length - 1;   // 0, 1, …, k−1
        string? select = everyFrameFromStart ? null : FrameSelectExpression.For(sortedIndices);
        if (select is not null)
        {
            arguments.AddRange(["-vf", "select=" + select]);
        }

        // Without a filter, output frame i is frame i; with one, it is the i-th wanted frame.
        int count = select is null ? sortedIndices[^1] + 1 : sortedIndices.Length;
        var wanted = select is null && !everyFrameFromStart ? new HashSet<int>(sortedIndices) : null;
        arguments.AddRange(["-vsync", "passthrough", "-frames:v", count.ToString(CultureInfo.InvariantCulture)]);
        return DecodeAsync(info, arguments, count, $"frames {Describe(sortedIndices)}", (i, frame) =>
        {
            if (select is not null)
            {
                onFrame(sortedIndices[i], frame);
            }
            else if (wanted is null || wanted.Contains(i))
            {
                onFrame(i, frame);
            }
        }, reuseBuffer, cancellationToken);
    }

    /// <summary>
    /// Seeks (input -ss: to the keyframe before, then decoding up to the time) to half a frame before the wanted
    /// frame and takes one frame. Returns false when the seek produced no frame (some containers, e.g. MPEG-TS, cannot
    /// seek reliably); the caller then decodes that frame sequentially.
    /// </summary>
    private async Task<bool> DecodeBySeekAsync(
        VideoInfo info, int index, Action<int, RgbImage> onFrame, bool reuseBuffer, CancellationToken cancellationToken)
    {
        double seconds = Math.Max(0, (index - 0.5) / info.FramesPerSecond);
        var arguments = new List<string> { "-nostdin", "-v", "error" };
        if (index > 0)
        {
            arguments.AddRange(["-ss", seconds.ToString("0.######", CultureInfo.InvariantCulture)]);
        }

        arguments.AddRange(ThreadArguments());
        arguments.AddRange(["-i", info.InputUrl, "-map", "0:v:0", "-an", "-sn", "-dn", "-vsync", "passthrough", "-frames:v", "1"]);
        try
        {
            await DecodeAsync(info, arguments, 1, $"frame {index}", (_, frame) => onFrame(index, frame), reuseBuffer, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (VideoDecodingException e) when (e.InnerException is EndOfStreamException)
        {
            return false;
        }
    }

    /// <summary>The decoder's <c>-threads</c> option (an input option: it must come before <c>-i</c>), none for ffmpeg's choice.</summary>
    private string[] ThreadArguments() => Threads > 0 ? ["-threads", Threads.ToString(CultureInfo.InvariantCulture)] : [];

    /// <summary>Containers whose index makes input seeking fast and exact (MP4/MOV, Matroska/WebM, AVI).</summary>
    private static bool HasSeekIndex(string containerFormat) =>
        containerFormat.Contains("mp4", StringComparison.Ordinal)
        || containerFormat.Contains("matroska", StringComparison.Ordinal)
        || containerFormat.Contains("avi", StringComparison.Ordinal);

    /// <summary>Runs ffmpeg and hands each of the <paramref name="count"/> raw frames it writes to <paramref name="onFrame"/>.</summary>
    private async Task DecodeAsync(
        VideoInfo info, List<string> arguments, int count, string what, Action<int, RgbImage> onFrame, bool reuseBuffer,
        CancellationToken cancellationToken)
    {
        (string pixelFormat, int bytesPerPixel) = OutputFormat(info.PixelFormat);
        arguments.AddRange(["-f", "rawvideo", "-pix_fmt", pixelFormat, "pipe:1"]);
        int frameBytes = checked((int)RgbImage.CheckedSize(info.Width, info.Height, bytesPerPixel));
        try
        {
            // Every wanted frame arrives complete or the reader throws, so a complaint ffmpeg makes after them
            // (about a truncated tail, say) does not matter: the exit code is not checked.
            // Blocking reads of whole frames on a thread of their own: cheaper than asynchronous reads of the pipe's
            // 64 KiB chunks (≈ 10% of a dense 1080p decode), and no thread-pool thread is held.
            await FfmpegProcess.RunAsync(Tools.FfmpegPath, arguments, info.Path, (stdout, ct) => Task.Factory.StartNew(
                () => ReadFrames(stdout, info, count, what, pixelFormat, frameBytes, onFrame, reuseBuffer, ct),
                ct, TaskCreationOptions.LongRunning, TaskScheduler.Default), cancellationToken, stopWhenRead: true, info.EncodedData).ConfigureAwait(false);
        }
        catch (ProcessOutputException e)
        {
            throw new VideoDecodingException(info.Path, e.Message + Detail(e.StandardError) + ".", e.InnerException);
        }
    }

    /// <summary>
    /// Reads <paramref name="count"/> raw frames from ffmpeg's stdout and hands each to <paramref name="onFrame"/>.
    /// Streaming (<paramref name="reuseBuffer"/>): two buffers, so the next frame is read from the pipe (and ffmpeg keeps
    /// decoding) while the callback processes this one on another thread; calls never overlap each other, and a
    /// buffer is refilled only after the call that had it returned.
    /// </summary>
    private static int ReadFrames(
        Stream stdout, VideoInfo info, int count, string what, string pixelFormat, int frameBytes, Action<int, RgbImage> onFrame,
        bool reuseBuffer, CancellationToken cancellationToken)
    {
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
                RgbImage frame = pixelFormat == "rgb24" ? new RgbImage(info.Width, info.Height, buffer) : ToRgb(info, buffer, pixelFormat);
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

    /// <summary>Converts one raw gray / gray+alpha / RGBA frame to a new RGB image (Pillow's convert("RGB")).</summary>
    private static RgbImage ToRgb(VideoInfo info, byte[] raw, string pixelFormat) => pixelFormat switch
    {
        "gray" => RgbImage.FromGray8(info.Width, info.Height, raw),
        "ya8" => RgbImage.FromGrayAlpha8(info.Width, info.Height, raw),
        _ => RgbImage.FromRgba32(info.Width, info.Height, raw),
    };

    /// <summary>
    /// The raw format to ask ffmpeg for: rgb24 for colour without alpha (ffmpeg's default conversion, as the fixtures
    /// and PyAV use); gray/ya8/rgba where Pillow's convert("RGB") must be reproduced here, exactly.
    /// </summary>
    private static (string Format, int BytesPerPixel) OutputFormat(string streamFormat) => streamFormat switch
    {
        "gray" or "gray10be" or "gray10le" or "gray12be" or "gray12le" or "gray16be" or "gray16le" => ("gray", 1),
        "ya8" or "ya16be" or "ya16le" => ("ya8", 2),
        "rgba" or "bgra" or "argb" or "abgr" or "rgba64be" or "rgba64le" or "bgra64be" or "bgra64le" or "pal8"
            or "gbrap" or "gbrap16be" or "gbrap16le" => ("rgba", 4),
        _ => ("rgb24", 3),
    };

    private async Task<int> CountAsync(VideoInfo source, string flag, string field, CancellationToken cancellationToken)
    {
        ProcessResult<string> result = await RunProbeAsync(source,
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

    private async Task<ProcessResult<string>> RunProbeAsync(VideoInfo source, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ProcessResult<string> result = await FfmpegProcess.RunForTextAsync(
            Tools.FfprobePath, arguments, source.Path, cancellationToken, source.EncodedData).ConfigureAwait(false);
        if (result.ExitCode is int code && code != 0)
        {
            throw new VideoDecodingException(source.Path,
                $"'{source.Path}' could not be opened as a video or image (ffprobe exit code {code}){Detail(result.StandardError)}.");
        }

        return result;
    }

    private static void CheckExists(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The video or image file '{path}' does not exist.", path);
        }
    }

    private static string Detail(string standardError)
    {
        string text = standardError.Trim();
        return text.Length == 0 ? "" : $": ffmpeg says \"{(text.Length > 600 ? "…" + text[^600..] : text)}\"";
    }

    private static string Describe(int[] indices) =>
        indices.Length <= 10 ? string.Join(", ", indices) : $"{string.Join(", ", indices.Take(8))}, …, {indices[^1]}";

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
