using Microsoft.ML.Clip.Vision.Mp4;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Decodes images and videos to the RGB pixels Python users get: still images as Pillow decodes them (in-process, with
/// Skia's codecs; EXIF orientation undone like transformers' <c>load_image</c>), videos as PyAV's
/// <c>to_ndarray(format="rgb24")</c> (with the <c>ffmpeg</c>/<c>ffprobe</c> programs through pipes of raw frames;
/// only the requested frames, streamed, at most two in flight, no temporary files).
/// </summary>
/// <remarks>
/// <para>Images: JPEG, PNG, WebP, one-frame GIF, BMP, ICO and WBMP go through <see cref="SkiaImageDecoder"/>; other
/// formats (TIFF, PPM, 16-bit grey PNG, …) and animated GIFs through ffmpeg. Either way grey, grey+alpha, palette,
/// RGBA, 16-bit and CMYK images are converted like Pillow's <c>convert("RGB")</c>: grey replicated, alpha dropped
/// without compositing, 16-bit grey clipped to 255. docs/decoding.md lists what is compared with Pillow and PyAV.</para>
/// <para>Videos: converted with the same swscale parameters PyAV uses (<see cref="PyAvRgbConversion"/>), and not rotated
/// by their display-rotation metadata unless <see cref="ApplyDisplayRotation"/> (PyAV returns frames as stored).</para>
/// <para>Frame selection: when the wanted frames lie within the first <see cref="SeekThreshold"/> frames, or are dense,
/// one ffmpeg run with a <c>select</c> filter keeps exactly frames <c>n</c> = the indices (frame-exact). Otherwise
/// (sparse frames in a long video) each frame is reached by a fast input seek to its timestamp (several seeks at once,
/// <see cref="MaxConcurrentSeeks"/>), which is
/// frame-exact for constant-frame-rate videos in indexed containers (MP4/MOV, Matroska/WebM, AVI) and does not
/// decode the whole file; a frame a seek cannot deliver is decoded sequentially instead.</para>
/// <para>Start-up: loading ffmpeg's libraries costs each ffmpeg/ffprobe run about 0.15 s of CPU. When a file is both
/// probed and decoded in one call (<see cref="ReadFramesAsync(string, IReadOnlyList{int}, CancellationToken)"/>,
/// <see cref="VisionPreprocessor"/>), the sequential ffmpeg run is started at the same time as ffprobe and waits for
/// its filter graph, so the probe overlaps ffmpeg's start instead of preceding it; the pixels are the same. An MP4/MOV
/// whose first video track is H.264 needs no ffprobe at all: its container and SPS are read in-process
/// (<c>Mp4Probe</c>, the same <see cref="VideoInfo"/>), and ffmpeg is the only program started.</para>
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
    /// Undo a still image's EXIF orientation, as transformers' <c>load_image</c> does (<c>ImageOps.exif_transpose</c>),
    /// so a phone photo comes out upright (default true); false keeps the pixels in their stored orientation (what
    /// <c>Image.open(path).convert("RGB")</c> gives). Read from JPEG, WebP and PNG (<c>eXIf</c>) files. A TIFF's
    /// orientation tag is always applied, as Pillow applies it when it loads a TIFF.
    /// </summary>
    public bool ApplyExifOrientation { get; init; } = true;

    /// <summary>
    /// Rotate video frames upright by the stream's display rotation (phone videos), as the ffmpeg command line does;
    /// default false: frames as stored, as PyAV decodes them (the X-CLIP documentation's <c>read_video_pyav</c>), so
    /// the model sees what it sees in Python.
    /// </summary>
    public bool ApplyDisplayRotation { get; init; }

    /// <summary>
    /// Probe MP4/MOV files with an H.264 first video track in-process (<see cref="Mp4Probe"/>, the same
    /// <see cref="VideoInfo"/> without starting ffprobe); false always runs ffprobe (tests, benchmarks). Default true.
    /// </summary>
    internal bool InProcessProbe { get; init; } = true;

    /// <summary>
    /// When a <see cref="VideoInfo.Window"/> of the frames is asked for, convert only the YUV around it to RGB
    /// (<see cref="ConversionWindow"/>); false converts whole frames, then crops (tests, benchmarks). Default true; never
    /// with <see cref="ApplyDisplayRotation"/> (the window is then in rotated coordinates).
    /// </summary>
    internal bool ConvertWindowOnly { get; init; } = true;

    /// <summary>True when <see cref="ConvertWindowOnly"/> applies to this decoder's runs.</summary>
    internal bool ConvertsOnlyAroundTheWindow => ConvertWindowOnly && !ApplyDisplayRotation;

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
            ApplyExifOrientation = ApplyExifOrientation,
            ApplyDisplayRotation = ApplyDisplayRotation,
            InProcessProbe = InProcessProbe,
            ConvertWindowOnly = ConvertWindowOnly,
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
    /// <remarks>
    /// An image Skia reads is probed in-process (its header only), and so is an MP4/MOV whose first video track is H.264
    /// (its <c>moov</c> box and SPS, giving what ffprobe gives); anything else by ffprobe.
    /// </remarks>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="VideoDecodingException">The file has no decodable video stream.</exception>
    /// <exception cref="FfmpegNotFoundException">ffprobe is not installed.</exception>
    public Task<VideoInfo> ProbeAsync(string path, CancellationToken cancellationToken = default)
    {
        CheckExists(path);
        return ProbeAsync(new VideoInfo { Path = path, Width = 0, Height = 0, FrameCount = 0, FrameCountSource = "" }, cancellationToken);
    }

    /// <summary>Decodes an encoded image held in memory (JPEG, PNG, … bytes): by Skia, or by ffmpeg from a temporary file.</summary>
    /// <param name="encoded">The encoded file's bytes.</param>
    /// <param name="name">A name for error messages (e.g. the row or URL it came from).</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    public RgbImage DecodeImage(ReadOnlyMemory<byte> encoded, string name = "in-memory image", CancellationToken cancellationToken = default) =>
        DecodeImageAsync(encoded, name, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Decodes an encoded image held in memory (JPEG, PNG, … bytes): by Skia, or by ffmpeg from a temporary file.</summary>
    /// <param name="encoded">The encoded file's bytes.</param>
    /// <param name="name">A name for error messages.</param>
    /// <remarks>
    /// Bytes Skia does not read (TIFF, PPM, …) are written to a temporary file for ffmpeg, deleted afterwards: some of
    /// its decoders (TIFF) need a seekable file and cannot read a pipe.
    /// </remarks>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    /// <exception cref="VideoDecodingException">The bytes are not an image Skia or ffmpeg can read.</exception>
    public async Task<RgbImage> DecodeImageAsync(ReadOnlyMemory<byte> encoded, string name = "in-memory image", CancellationToken cancellationToken = default)
    {
        if (encoded.IsEmpty)
        {
            throw new VideoDecodingException(name, $"'{name}' is empty: 0 bytes cannot be an image.");
        }

        var source = new VideoInfo { Path = name, Width = 0, Height = 0, FrameCount = 0, FrameCountSource = "", EncodedData = encoded };
        if (SkiaImageDecoder.TryProbe(source, ApplyExifOrientation) is VideoInfo image)
        {
            return SkiaImageDecoder.Decode(image, ApplyExifOrientation);
        }

        string spool = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"clip-image-{Guid.NewGuid():N}.bin");
        try
        {
            // Not an image Skia reads: ffmpeg gets a temporary copy (its TIFF decoder cannot read a pipe).
            await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await file.WriteAsync(encoded, cancellationToken).ConfigureAwait(false);
            }

            VideoInfo info = await FfprobeProbe.ProbeAsync(this, source with { EncodedData = null, LocalFile = spool }, cancellationToken)
                .ConfigureAwait(false);
            return (await ReadFramesAsync(info, [0], cancellationToken).ConfigureAwait(false))[0];
        }
        finally
        {
            File.Delete(spool);
        }
    }

    private async Task<VideoInfo> ProbeAsync(VideoInfo source, CancellationToken cancellationToken)
    {
        if (SkiaImageDecoder.TryProbe(source, ApplyExifOrientation) is VideoInfo image)
        {
            return image;
        }

        return await ProbeVideoAsync(source, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Probes a file Skia does not read: in-process when it is an MP4/MOV with H.264 (<see cref="InProcessProbe"/>), else with ffprobe.</summary>
    private Task<VideoInfo> ProbeVideoAsync(VideoInfo source, CancellationToken cancellationToken) =>
        TryProbeInProcess(source, cancellationToken) is VideoInfo info
            ? Task.FromResult(info)
            : FfprobeProbe.ProbeAsync(this, source, cancellationToken);

    /// <summary>The in-process probe's result (<see cref="InProcessProbe"/>), or null when ffprobe must probe the file.</summary>
    private VideoInfo? TryProbeInProcess(VideoInfo source, CancellationToken cancellationToken) =>
        InProcessProbe && !cancellationToken.IsCancellationRequested ? Mp4Probe.TryProbe(this, source) : null;

    /// <summary>Counts the frames of a file by decoding all of it (exact, slow for long videos).</summary>
    /// <param name="path">The video file.</param>
    /// <param name="cancellationToken">Cancels the count (killing ffprobe).</param>
    public Task<int> CountFramesByDecodingAsync(string path, CancellationToken cancellationToken = default)
    {
        CheckExists(path);
        return FfprobeProbe.CountAsync(Tools, new VideoInfo { Path = path, Width = 0, Height = 0, FrameCount = 0, FrameCountSource = "" },
            "-count_frames", "nb_read_frames", cancellationToken);
    }

    /// <summary>Decodes a still image (or the first frame of a video) to RGB, as Pillow (or PyAV for a video) does.</summary>
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
        ArgumentNullException.ThrowIfNull(frameIndices);
        (VideoInfo info, PrestartedSelectRun? run) = await ProbeAndPrestartAsync(path, frameIndices.Distinct().Order().ToArray(), cancellationToken)
            .ConfigureAwait(false);
        await using (run)
        {
            var decoded = new Dictionary<int, RgbImage>();
            await DecodeCoreAsync(info, frameIndices, (index, frame) => decoded[index] = frame, reuseBuffer: false, run, cancellationToken)
                .ConfigureAwait(false);
            return frameIndices.Select(i => decoded[i]).ToArray();
        }
    }

    /// <summary>
    /// Probes a file and, unless Skia reads it (an image) or the frames may be reached by seeking
    /// (<see cref="FramePlan.MaySeek"/>), starts meanwhile the ffmpeg run that will decode it
    /// (<see cref="PrestartedSelectRun"/>): the probe and ffmpeg's start-up overlap. The run is null for images and for
    /// files probed in-process (an H.264 MP4/MOV: nothing to overlap); the caller disposes it (which kills it if the
    /// probe shows the frames are better reached by seeking).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="sortedIndices">The wanted frames (distinct, ascending), or null when they depend on the probe.</param>
    /// <param name="cancellationToken">Cancels the probe (killing ffprobe and the prestarted ffmpeg).</param>
    internal async Task<(VideoInfo Info, PrestartedSelectRun? Run)> ProbeAndPrestartAsync(
        string path, int[]? sortedIndices, CancellationToken cancellationToken)
    {
        CheckExists(path);
        var source = new VideoInfo { Path = path, Width = 0, Height = 0, FrameCount = 0, FrameCountSource = "" };
        if (SkiaImageDecoder.TryProbe(source, ApplyExifOrientation) is VideoInfo image)
        {
            return (image, null);
        }

        // An in-process probe takes a millisecond or so: nothing to overlap, ffmpeg starts later with its filter graph.
        if (TryProbeInProcess(source, cancellationToken) is VideoInfo probed)
        {
            return (probed, null);
        }

        if (sortedIndices is { Length: 0 } || FramePlan.MaySeek(this, sortedIndices))
        {
            return (await FfprobeProbe.ProbeAsync(this, source, cancellationToken).ConfigureAwait(false), null);
        }

        PrestartedSelectRun run = await PrestartedSelectRun.StartAsync(this, path, cancellationToken).ConfigureAwait(false);
        try
        {
            VideoInfo info = await FfprobeProbe.ProbeAsync(this, source, cancellationToken).ConfigureAwait(false);
            if (info.IsImage)
            {
                await run.DisposeAsync().ConfigureAwait(false);
                return (info, null);
            }

            return (info, run);
        }
        catch
        {
            await run.DisposeAsync().ConfigureAwait(false);
            throw;
        }
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
        await DecodeCoreAsync(info, frameIndices, (index, frame) => decoded[index] = frame, reuseBuffer: false, prestarted: null, cancellationToken)
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
        return DecodeCoreAsync(info, frameIndices, onFrame, reuseBuffer: true, prestarted: null, cancellationToken);
    }

    /// <summary><see cref="ForEachFrameAsync(VideoInfo, IReadOnlyList{int}, Action{int, RgbImage}, CancellationToken)"/>, decoding with <paramref name="prestarted"/> when it can serve.</summary>
    internal Task ForEachFrameAsync(
        VideoInfo info, IReadOnlyList<int> frameIndices, Action<int, RgbImage> onFrame, PrestartedSelectRun? prestarted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        return DecodeCoreAsync(info, frameIndices, onFrame, reuseBuffer: true, prestarted, cancellationToken);
    }

    private async Task DecodeCoreAsync(
        VideoInfo info, IReadOnlyList<int> frameIndices, Action<int, RgbImage> onFrame, bool reuseBuffer, PrestartedSelectRun? prestarted,
        CancellationToken cancellationToken)
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

        if (info.DecodedBySkia)
        {
            onFrame(0, SkiaImageDecoder.Decode(info, ApplyExifOrientation));
            return;
        }

        if (info.IsImage)
        {
            onFrame(0, await FfmpegFrameDecoder.DecodeImageAsync(this, info, cancellationToken).ConfigureAwait(false));
            return;
        }

        bool seek = FramePlan.ShouldSeek(this, info, distinct);
        int[] sequential = distinct;
        if (seek)
        {
            // The seeks are independent ffmpeg runs: several at once (one decoding thread each), their calls serialised.
            int concurrency = Math.Min(distinct.Length, MaxConcurrentSeeks);
            VideoDecoder seeker = ForConcurrentRuns(concurrency);
            var gate = new object();
            Action<int, RgbImage> deliver = concurrency > 1 ? (index, frame) => { lock (gate) { onFrame(index, frame); } } : onFrame;
            bool[] sought = await ConcurrentWork.RunAsync(distinct.Length, concurrency,
                (k, ct) => FfmpegFrameDecoder.DecodeBySeekAsync(seeker, info, distinct[k], deliver, reuseBuffer, ct), cancellationToken).ConfigureAwait(false);
            sequential = distinct.Where((_, k) => !sought[k]).ToArray();   // frames a seek could not reach: decoded in order below
        }

        if (sequential.Length > 0 && prestarted is not null && prestarted.CanServe(this, info))
        {
            int delivered = 0;
            try
            {
                await prestarted.DecodeAsync(info, sequential, (index, frame) =>
                {
                    delivered++;
                    onFrame(index, frame);
                }, reuseBuffer, cancellationToken).ConfigureAwait(false);
            }
            catch (VideoDecodingException) when (delivered == 0)
            {
                // Not one frame from the run started before the probe (an ffmpeg that does not read its filter graph
                // from stdin as expected, say): the run started now decides, and reports a broken file as before.
                await FfmpegFrameDecoder.DecodeBySelectAsync(this, info, sequential, onFrame, reuseBuffer, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (sequential.Length > 0)
        {
            await FfmpegFrameDecoder.DecodeBySelectAsync(this, info, sequential, onFrame, reuseBuffer, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void CheckExists(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The video or image file '{path}' does not exist.", path);
        }
    }
}
