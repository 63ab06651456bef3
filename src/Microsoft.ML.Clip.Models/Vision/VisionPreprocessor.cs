using System.Text.Json;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// From files on disk to the exact <c>pixel_values</c> a model takes, in one call:
/// <c>VisionPreprocessor.FromPretrained(folder).Process(paths)</c>. Reads the folder's <c>preprocessor_config.json</c>,
/// decodes with ffmpeg, samples frames and runs the matching processor (<see cref="VideoMaeImageProcessor"/> for
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
    /// <param name="options">Frames, sampling and ffmpeg location.</param>
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

        return new VisionPreprocessor(config, numFrames, options.Sampling, new VideoDecoder(options.Ffmpeg));
    }

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

        var infos = new VideoInfo[paths.Count];
        for (int i = 0; i < paths.Count; i++)
        {
            infos[i] = await Decoder.ProbeAsync(paths[i], cancellationToken).ConfigureAwait(false);
        }

        if (_video is not null && paths.Count > 1 && infos.All(i => i.IsImage))
        {
            if (paths.Count != NumFrames)
            {
                throw new ArgumentException(
                    $"{paths.Count} images were given as the frames of one video, but the preprocessor takes {NumFrames} frames per video " +
                    "(vision_config.num_frames); give exactly that many images, or set NumFrames to match a model made for that many frames.",
                    nameof(paths));
            }

            return _video.Preprocess(await ReadImagesAsync(infos, cancellationToken).ConfigureAwait(false));
        }

        // Every video yields ClipsPerVideo × NumFrames slots; frames stream from ffmpeg straight into their slots,
        // so only one decoded frame is in memory at a time, whatever the resolution or number of clips.
        int slotsPerVideo = Sampling.ClipsPerVideo * NumFrames;
        (int height, int width) = CommonOutputSize(infos);
        int slotLength = 3 * height * width;
        Tensor output = _video is not null
            ? new Tensor(infos.Length * Sampling.ClipsPerVideo, NumFrames, 3, height, width)
            : new Tensor(infos.Length * slotsPerVideo, 3, height, width);
        for (int v = 0; v < infos.Length; v++)
        {
            Memory<float> slots = output.Memory.Slice(v * slotsPerVideo * slotLength, slotsPerVideo * slotLength);
            await ProcessVideoIntoAsync(infos[v], slots, slotLength, cancellationToken).ConfigureAwait(false);
        }

        return output;
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
            info = await RecountAsync(info, cancellationToken).ConfigureAwait(false);
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
    private async Task ProcessVideoIntoAsync(VideoInfo info, Memory<float> slots, int slotLength, CancellationToken cancellationToken)
    {
        ImagePipeline pipeline = _video?.Pipeline ?? _image!.Pipeline;
        try
        {
            await StreamIntoAsync(info).ConfigureAwait(false);
        }
        catch (VideoDecodingException e) when (IsShortRead(e, info))
        {
            // The header promised more frames than the file holds (truncated or badly muxed): count the frames
            // that really decode and sample again from those.
            await StreamIntoAsync(await RecountAsync(info, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }

        Task StreamIntoAsync(VideoInfo video)
        {
            int[] flat = Sampling.Sample(video.FrameCount, NumFrames).SelectMany(c => c).ToArray();
            return Decoder.ForEachFrameAsync(video, flat, (index, frame) =>
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
                        pipeline.Process(frame, slot);
                        first = k;
                    }
                    else
                    {
                        slots.Span.Slice(first * slotLength, slotLength).CopyTo(slot);
                    }
                }
            }, cancellationToken);
        }
    }

    private static bool IsShortRead(VideoDecodingException e, VideoInfo info) => e.InnerException is EndOfStreamException && !info.IsImage;

    private async Task<VideoInfo> RecountAsync(VideoInfo info, CancellationToken cancellationToken)
    {
        int real = await Decoder.CountFramesByDecodingAsync(info.Path, cancellationToken).ConfigureAwait(false);
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
        ImagePipeline pipeline = _video?.Pipeline ?? _image!.Pipeline;
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

    private async Task<RgbImage[]> ReadImagesAsync(VideoInfo[] infos, CancellationToken cancellationToken)
    {
        var images = new RgbImage[infos.Length];
        for (int i = 0; i < infos.Length; i++)
        {
            images[i] = (await Decoder.ReadFramesAsync(infos[i], [0], cancellationToken).ConfigureAwait(false))[0];
        }

        return images;
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
