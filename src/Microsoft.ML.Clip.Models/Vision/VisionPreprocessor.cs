using System.Text.Json;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// From files on disk to the exact <c>pixel_values</c> a model takes, in one call:
/// <c>VisionPreprocessor.FromPretrained(folder).Process(paths)</c>. Reads the folder's <c>preprocessor_config.json</c>,
/// decodes (images as Pillow does, videos as PyAV does: see <see cref="VideoDecoder"/>), samples frames and runs the matching processor (<see cref="VideoMaeImageProcessor"/> for
/// X-CLIP, <see cref="ClipImageProcessor"/> for AltCLIP).
/// </summary>
/// <remarks>
/// <para>Video models (VideoMAE processor): every video path gives <see cref="FrameSampling.ClipsPerVideo"/> clips of
/// <see cref="NumFrames"/> frames, so the tensor is <c>[videos × clips, frames, 3, H, W]</c> (clips of one video are
/// consecutive). A still image is a one-frame video (repeated). When every path is a still image and there are
/// several, they are the frames of one video, in order: <c>[1, paths, 3, H, W]</c>.</para>
/// <para>Image models (CLIP processor): every image gives one item of <c>[items, 3, H, W]</c>; a video gives its
/// sampled frames as items (by default one, the middle frame).</para>
/// </remarks>
public sealed class VisionPreprocessor
{
    private readonly VideoMaeImageProcessor? _video;
    private readonly ClipImageProcessor? _image;

    /// <summary>Creates a preprocessor from processor settings.</summary>
    /// <param name="config">The processor settings (a VideoMAE type makes a video preprocessor).</param>
    /// <param name="numFrames">Frames per clip (≥ 1).</param>
    /// <param name="sampling">How frames are chosen; uniform segments when null.</param>
    /// <param name="decoder">The decoder; a default <see cref="VideoDecoder"/> when null.</param>
    public VisionPreprocessor(ImageProcessorConfig config, int numFrames, FrameSampling? sampling = null, VideoDecoder? decoder = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(numFrames, 1);
        Config = config;
        NumFrames = numFrames;
        Sampling = sampling ?? FrameSampling.Uniform;
        Decoder = decoder ?? new VideoDecoder();
        if (config.IsVideoMae)
        {
            _video = new VideoMaeImageProcessor(config);
        }
        else
        {
            _image = new ClipImageProcessor(config);
        }
    }

    /// <summary>The processor settings.</summary>
    public ImageProcessorConfig Config { get; }

    /// <summary>
    /// True (the default): ffmpeg delivers only the part of each video frame the resize and centre crop read. False:
    /// whole frames (the benchmarks compare the two).
    /// </summary>
    internal bool DecodeOnlyWhatIsRead { get; init; } = true;

    /// <summary>The resize / crop / normalise steps every image and frame goes through.</summary>
    internal ImagePipeline Pipeline => _video?.Pipeline ?? _image!.Pipeline;

    /// <summary>True for a video model (output <c>[videos, frames, 3, H, W]</c>), false for an image model (<c>[images, 3, H, W]</c>).</summary>
    public bool IsVideo => _video is not null;

    /// <summary>Frames per clip.</summary>
    public int NumFrames { get; }

    /// <summary>How frames are chosen from videos.</summary>
    public FrameSampling Sampling { get; }

    /// <summary>The decoder in use.</summary>
    public VideoDecoder Decoder { get; }

    /// <summary>
    /// Loads a model folder's <c>preprocessor_config.json</c> (and, for video models, <c>vision_config.num_frames</c>
    /// from its <c>config.json</c>).
    /// </summary>
    /// <param name="folder">A local model folder (a Hugging Face snapshot).</param>
    /// <param name="options">Frames, sampling and the decoder (or the ffmpeg location).</param>
    /// <exception cref="FileNotFoundException">The folder has no preprocessor_config.json.</exception>
    /// <exception cref="ArgumentException"><see cref="VisionPreprocessorOptions.NumFrames"/> differs from the model's num_frames.</exception>
    public static VisionPreprocessor FromPretrained(string folder, VisionPreprocessorOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        options ??= new VisionPreprocessorOptions();
        ImageProcessorConfig config = ImageProcessorConfig.Load(Path.Combine(folder, "preprocessor_config.json"));
        int numFrames;
        if (config.IsVideoMae)
        {
            int? modelFrames = ReadNumFrames(Path.Combine(folder, "config.json"));
            if (options.NumFrames is int requested && modelFrames is int expected)
            {
                FrameSampler.EnsureModelFrameCount(requested, expected, folder);
            }

            numFrames = options.NumFrames ?? modelFrames ?? 8;
        }
        else
        {
            numFrames = options.NumFrames ?? 1;
        }

        return new VisionPreprocessor(config, numFrames, options.Sampling, options.Decoder ?? new VideoDecoder(options.Ffmpeg));
    }

    /// <summary>
    /// How many files are probed and decoded at once, each by its own ffmpeg child (default: the number of cores, at
    /// least 2). Starting ffmpeg and decoding one file leave cores idle, so files in flight together go faster than one
    /// after another (measured: 1.3–1.9× for batches of 4–8 videos on two cores); 1 decodes them in order. The output
    /// does not depend on it.
    /// </summary>
    public int MaxConcurrentFiles
    {
        get => _maxConcurrentFiles;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxConcurrentFiles));
            _maxConcurrentFiles = value;
        }
    }

    private readonly int _maxConcurrentFiles = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Decodes, samples and processes files (videos and/or images); see the class remarks for the layout.</summary>
    /// <param name="paths">Video or image files.</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    public Tensor Process(IReadOnlyList<string> paths, CancellationToken cancellationToken = default) =>
        ProcessAsync(paths, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Decodes, samples and processes files (videos and/or images); see the class remarks for the layout.</summary>
    /// <param name="paths">Video or image files.</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    /// <exception cref="ArgumentException">No paths, or (video model) a number of images that is not <see cref="NumFrames"/>.</exception>
    public async Task<Tensor> ProcessAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new ArgumentException("At least one video or image file is needed.", nameof(paths));
        }

        return (await ProcessEachAsync([paths], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// Processes many inputs at once, each exactly as <see cref="Process"/> would (one tensor per input), with up to
    /// <see cref="MaxConcurrentFiles"/> files of all inputs decoding at the same time.
    /// </summary>
    /// <param name="inputs">The inputs; each is a list of files as <see cref="Process"/> takes them (one video, one image, or a video's frame images).</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    public Tensor[] ProcessEach(IReadOnlyList<IReadOnlyList<string>> inputs, CancellationToken cancellationToken = default) =>
        ProcessEachAsync(inputs, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc cref="ProcessEach"/>
    /// <exception cref="ArgumentException">An input without files, or (video model) a number of frame images that is not <see cref="NumFrames"/>.</exception>
    public async Task<Tensor[]> ProcessEachAsync(IReadOnlyList<IReadOnlyList<string>> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Count; i++)
        {
            if (inputs[i] is null || inputs[i].Count == 0)
            {
                throw new ArgumentException(
                    inputs.Count == 1 ? "At least one video or image file is needed." : $"Input {i} has no video or image file; each input needs at least one.",
                    nameof(inputs));
            }
        }

        // One decode job per file, in file order. With several files in flight, one decoding thread each uses the
        // cores better than frame threading in each.
        string[] files = inputs.SelectMany(paths => paths).ToArray();
        VideoDecoder jobDecoder = Decoder.ForConcurrentRuns(Math.Min(files.Length, MaxConcurrentFiles));
        var prestarted = new PrestartedSelectRun?[files.Length];
        try
        {
            return await ProcessEachAsync(inputs, files, jobDecoder, prestarted, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (PrestartedSelectRun? run in prestarted)
            {
                if (run is not null)
                {
                    await run.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// <see cref="ProcessEachAsync(IReadOnlyList{IReadOnlyList{string}}, CancellationToken)"/> once the decoder is chosen. The
    /// files decoded first (one per concurrent job) get their ffmpeg run started while they are probed
    /// (<see cref="PrestartedSelectRun"/>, kept in <paramref name="prestarted"/> for the caller to dispose). The frames
    /// depend on the frame count the probe finds, so a long video whose frames turn out to be reached by seeking kills
    /// its run unused: one ffmpeg start-up (≈ 0.15 s of CPU, beside the probe) wasted on a decode of several seeks.
    /// </summary>
    private async Task<Tensor[]> ProcessEachAsync(
        IReadOnlyList<IReadOnlyList<string>> inputs, string[] files, VideoDecoder jobDecoder, PrestartedSelectRun?[] prestarted,
        CancellationToken cancellationToken)
    {
        // Probe every file of every input, several at a time.
        VideoInfo[] allInfos = await ConcurrentWork.RunAsync(files.Length, MaxConcurrentFiles, async (f, ct) =>
        {
            if (f >= MaxConcurrentFiles)
            {
                return await jobDecoder.ProbeAsync(files[f], ct).ConfigureAwait(false);
            }

            (VideoInfo info, prestarted[f]) = await jobDecoder.ProbeAndPrestartAsync(files[f], sortedIndices: null, ct).ConfigureAwait(false);
            return info;
        }, cancellationToken).ConfigureAwait(false);

        // Plan: one output tensor per input and one decode job per file, writing into that tensor (or, for a video
        // model's frame images, into an array processed once all of them are decoded).
        var outputs = new Tensor?[inputs.Count];
        var frameImages = new RgbImage[]?[inputs.Count];
        var jobs = new List<Func<VideoDecoder, PrestartedSelectRun?, CancellationToken, Task>>();
        for (int i = 0, first = 0; i < inputs.Count; first += inputs[i].Count, i++)
        {
            VideoInfo[] infos = allInfos[first..(first + inputs[i].Count)];
            if (_video is not null && infos.Length > 1 && infos.All(info => info.IsImage))
            {
                if (infos.Length != NumFrames)
                {
                    throw new ArgumentException(
                        $"{infos.Length} images were given as the frames of one video, but the preprocessor takes {NumFrames} frames per video " +
                        "(vision_config.num_frames); give exactly that many images, or set NumFrames to match a model made for that many frames.",
                        nameof(inputs));
                }

                RgbImage[] images = frameImages[i] = new RgbImage[infos.Length];
                for (int k = 0; k < infos.Length; k++)
                {
                    VideoInfo image = infos[k];
                    int slot = k;
                    jobs.Add(async (decoder, _, ct) => images[slot] = (await decoder.ReadFramesAsync(image, [0], ct).ConfigureAwait(false))[0]);
                }

                continue;
            }

            // Every video yields ClipsPerVideo × NumFrames slots; frames stream from ffmpeg straight into their slots,
            // so at most two decoded frames per file in flight are in memory, whatever the resolution or number of clips.
            int slotsPerVideo = Sampling.ClipsPerVideo * NumFrames;
            (int height, int width) = CommonOutputSize(infos);
            int slotLength = 3 * height * width;
            Tensor output = outputs[i] = _video is not null
                ? new Tensor(infos.Length * Sampling.ClipsPerVideo, NumFrames, 3, height, width)
                : new Tensor(infos.Length * slotsPerVideo, 3, height, width);
            for (int v = 0; v < infos.Length; v++)
            {
                VideoInfo video = infos[v];
                Memory<float> slots = output.Memory.Slice(v * slotsPerVideo * slotLength, slotsPerVideo * slotLength);
                jobs.Add((decoder, run, ct) => ProcessVideoIntoAsync(decoder, video, slots, slotLength, run, ct));
            }
        }

        await ConcurrentWork.RunAsync(jobs.Count, MaxConcurrentFiles, async (j, ct) =>
        {
            await jobs[j](jobDecoder, prestarted[j], ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);

        var result = new Tensor[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            result[i] = outputs[i] ?? _video!.Preprocess(frameImages[i]!);
        }

        return result;
    }

    /// <summary>Processes frames already decoded by the caller: one video for a video model, a batch of images otherwise.</summary>
    /// <param name="frames">The frames (RGB24), in time order.</param>
    public Tensor ProcessFrames(IReadOnlyList<RgbImage> frames) =>
        _video is not null ? _video.Preprocess(frames) : _image!.Preprocess(frames);

    /// <summary>Decodes the frames of one video that <see cref="Sampling"/> chooses: one array of <see cref="NumFrames"/> frames per clip.</summary>
    /// <param name="path">The video (or image) file.</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    public async Task<IReadOnlyList<RgbImage[]>> ReadClipsAsync(string path, CancellationToken cancellationToken = default)
    {
        VideoInfo info = await Decoder.ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        int[][] clips = Sampling.Sample(info.FrameCount, NumFrames);
        RgbImage[] frames;
        try
        {
            frames = await Decoder.ReadFramesAsync(info, clips.SelectMany(c => c).ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (VideoDecodingException e) when (IsShortRead(e, info))
        {
            info = await RecountAsync(Decoder, info, cancellationToken).ConfigureAwait(false);
            clips = Sampling.Sample(info.FrameCount, NumFrames);
            frames = await Decoder.ReadFramesAsync(info, clips.SelectMany(c => c).ToArray(), cancellationToken).ConfigureAwait(false);
        }

        var result = new RgbImage[clips.Length][];
        for (int c = 0, k = 0; c < clips.Length; c++)
        {
            result[c] = frames[k..(k += clips[c].Length)];
        }

        return result;
    }

    /// <summary>Samples, decodes (streaming) and processes one video into its slots (<c>[clips × frames, 3, H, W]</c> flat).</summary>
    private async Task ProcessVideoIntoAsync(
        VideoDecoder decoder, VideoInfo info, Memory<float> slots, int slotLength, PrestartedSelectRun? prestarted, CancellationToken cancellationToken)
    {
        ImagePipeline pipeline = Pipeline;
        try
        {
            await StreamIntoAsync(info).ConfigureAwait(false);
        }
        catch (VideoDecodingException e) when (IsShortRead(e, info))
        {
            // The header promised more frames than the file holds (truncated or badly muxed): count the frames
            // that really decode and sample again from those.
            await StreamIntoAsync(await RecountAsync(decoder, info, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }

        Task StreamIntoAsync(VideoInfo video)
        {
            int[] flat = Sampling.Sample(video.FrameCount, NumFrames).SelectMany(c => c).ToArray();

            // ffmpeg delivers only the part of each frame the resize and centre crop read (about 57% of a 16:9 frame
            // for a 224 crop): fewer bytes through the pipe, the same pixel values.
            FrameWindow window = video.IsImage || !DecodeOnlyWhatIsRead
                ? FrameWindow.Whole(video.Width, video.Height)
                : pipeline.SourceWindow(video.Width, video.Height);
            VideoInfo delivered = window.IsWhole(video.Width, video.Height) ? video : video with { Window = window };
            return decoder.ForEachFrameAsync(delivered, flat, (index, frame) =>
            {
                // Process the frame into its first slot, copy it to any slot that repeats the same frame.
                int first = -1;
                for (int k = 0; k < flat.Length; k++)
                {
                    if (flat[k] != index)
                    {
                        continue;
                    }

                    Span<float> slot = slots.Span.Slice(k * slotLength, slotLength);
                    if (first < 0)
                    {
                        pipeline.Process(frame, window, video.Width, video.Height, slot);
                        first = k;
                    }
                    else
                    {
                        slots.Span.Slice(first * slotLength, slotLength).CopyTo(slot);
                    }
                }
            }, prestarted, cancellationToken);
        }
    }

    private static bool IsShortRead(VideoDecodingException e, VideoInfo info) => e.InnerException is EndOfStreamException && !info.IsImage;

    private static async Task<VideoInfo> RecountAsync(VideoDecoder decoder, VideoInfo info, CancellationToken cancellationToken)
    {
        int real = await decoder.CountFramesByDecodingAsync(info.Path, cancellationToken).ConfigureAwait(false);
        if (real <= 0 || real >= info.FrameCount)
        {
            throw new VideoDecodingException(info.Path,
                $"'{info.Path}' claims {info.FrameCount} frames but decoding stops early and counting finds {real}: the file is corrupt.");
        }

        return info with { FrameCount = real, FrameCountSource = "decoded" };
    }

    /// <summary>The (height, width) every frame becomes; they must agree to stack into one tensor.</summary>
    private (int Height, int Width) CommonOutputSize(VideoInfo[] infos)
    {
        ImagePipeline pipeline = Pipeline;
        (int height, int width) = pipeline.OutputSize(infos[0].Width, infos[0].Height);
        foreach (VideoInfo info in infos)
        {
            if (pipeline.OutputSize(info.Width, info.Height) != (height, width))
            {
                throw new ArgumentException(
                    $"'{info.Path}' ({info.Width}×{info.Height}) becomes a different size than '{infos[0].Path}' ({width}×{height}); " +
                    "without do_center_crop all inputs must resize to the same size to form one tensor.");
            }
        }

        return (height, width);
    }

    private static int? ReadNumFrames(string configPath)
    {
        if (!File.Exists(configPath))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(configPath));
            return document.RootElement.TryGetProperty("vision_config", out JsonElement vision)
                && vision.ValueKind == JsonValueKind.Object
                && vision.TryGetProperty("num_frames", out JsonElement n)
                && n.TryGetInt32(out int frames)
                ? frames
                : null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{configPath}' is not valid JSON: {e.Message}", e);
        }
    }
}
