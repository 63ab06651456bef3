using System.Diagnostics;
using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// Stopwatch runs of full-size models with random weights (no download): X-CLIP base-patch32 forward timings, and
/// AltCLIP (BAAI/AltCLIP shape, ~0.86 B parameters) memory while embedding a batch of 8 images.
/// <c>dotnet run -c Release --project tests/Microsoft.ML.Clip.Benchmarks -- models [xclip|altclip-memory|all] [--runs N]</c>;
/// <c>models altclip-save DIR</c> / <c>altclip-load DIR</c> and <c>xclip-save DIR</c> / <c>xclip-load DIR</c> for loads from memory-mapped safetensors.
/// </summary>
internal static class ModelQuickRun
{
    public static void Run(string[] args)
    {
        string what = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : "all";
        int runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(int.Parse).FirstOrDefault(3);
        Console.WriteLine($"{Environment.ProcessorCount} logical cores; {(Vector512IsHardwareAccelerated() ? "AVX-512" : "no AVX-512")}");
        if (what is "xclip" or "all")
        {
            XClip(runs);
        }

        if (what is "altclip-memory" or "all")
        {
            AltClipMemory(runs);
        }

        if (what == "altclip-save")
        {
            // Writes a full-size random AltCLIP checkpoint folder (config.json + model.safetensors, ~3.2 GiB) for altclip-load.
            string folder = args[2];
            Directory.CreateDirectory(folder);
            var dump = new SafeTensorsDump(new RandomWeights(1));
            using (AltClipModel.FromWeightSource(AltClipLarge(), dump))
            {
                dump.Write(Path.Combine(folder, "model.safetensors"));
            }

            AltClipLarge().Save(Path.Combine(folder, "config.json"));
            Console.WriteLine($"wrote {folder}");
        }

        if (what == "altclip-load")
        {
            AltClipLoad(args[2], runs);
        }

        if (what == "xclip-save")
        {
            // Writes a full-size random X-CLIP base-patch32 checkpoint folder (config.json + model.safetensors, ~0.8 GB) for xclip-load.
            string folder = args[2];
            Directory.CreateDirectory(folder);
            var dump = new SafeTensorsDump(new RandomWeights(1));
            using (XClipModel.FromWeightSource(new XClipConfig(), dump))
            {
                dump.Write(Path.Combine(folder, "model.safetensors"));
            }

            new XClipConfig().Save(Path.Combine(folder, "config.json"));
            Console.WriteLine($"wrote {folder}");
        }

        if (what == "xclip-load")
        {
            XClipLoad(args[2], runs);
        }

        if (what == "preprocess")
        {
            Preprocess(args[2], runs);
        }
    }

    /// <summary>
    /// Load time (memory-mapped safetensors, warm page cache: the file is read once before timing) and peak working set
    /// of X-CLIP base while running get_video_features on 1 and 4 videos and forward on 1 video + 10 texts.
    /// </summary>
    private static void XClipLoad(string folder, int runs)
    {
        WarmPageCache(Path.Combine(folder, "model.safetensors")); // the target is for a warm page cache
        long before = Process.GetCurrentProcess().WorkingSet64;
        var load = Stopwatch.StartNew();
        using XClipModel model = XClipModel.FromPretrained(folder);
        double loadSeconds = load.Elapsed.TotalSeconds;
        long weights = model.ParameterCount * 4;
        var first = Stopwatch.StartNew();
        model.GetVideoFeatures(Random(1, 8, 3, 224, 224));
        Console.WriteLine($"  first get_video_features (packs the weights on first use): {first.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine($"X-CLIP base loaded from mapped safetensors in {loadSeconds:F2} s ({weights / (double)(1 << 20):F0} MiB of weights); "
            + $"working set {Process.GetCurrentProcess().WorkingSet64 / (double)(1 << 20):F0} MiB (before load {before / (double)(1 << 20):F0} MiB)");
        var tokens = new TokenBatch(Enumerable.Range(0, 10 * 16).Select(i => (long)(i % 16 == 15 ? 49407 : 100 + i)).ToArray(), null, 10, 16);
        Tensor one = Random(1, 8, 3, 224, 224), four = Random(4, 8, 3, 224, 224);
        long peak = SamplePeak(() =>
        {
            Time("X-CLIP (mapped) get_video_features, 1 video", runs, () => model.GetVideoFeatures(one));
            Time("X-CLIP (mapped) get_video_features, 4 videos", runs, () => model.GetVideoFeatures(four));
            Time("X-CLIP (mapped) forward, 1 video + 10 texts", runs, () => model.Forward(tokens, one));
        });
        Console.WriteLine($"  peak working set: {peak / (double)(1 << 20):F0} MiB = weights + {(peak - weights) / (double)(1 << 20):F0} MiB; "
            + $"process peak {PeakWorkingSet() / (double)(1 << 20):F0} MiB");
    }

    /// <summary>
    /// Pre-processing throughput (ffmpeg decode of 8 sampled frames + resize + crop + normalise, X-CLIP processor) on a
    /// video, against X-CLIP base get_video_features on the same 8 frames.
    /// </summary>
    private static void Preprocess(string video, int runs)
    {
        var preprocessor = new VisionPreprocessor(
            ImageProcessorConfig.VideoMaeDefaults with { ImageMean = [0.485, 0.456, 0.406], ImageStd = [0.229, 0.224, 0.225] }, numFrames: 8);
        Tensor pixels = preprocessor.Process([video]);
        var decoder = new VideoDecoder();
        VideoInfo info = decoder.Probe(video);
        IReadOnlyList<int> indices = FrameSampler.UniformSegments(info.FrameCount, 8);
        RgbImage[] frames = decoder.ReadFrames(video, indices);
        var processor = new VideoMaeImageProcessor(preprocessor.Config);
        Time($"  of which ffmpeg decode of the 8 frames ({info.Width}×{info.Height}, {info.FrameCount} frames, {info.CodecName})", runs, () => decoder.ReadFrames(video, indices));
        double resize = Time("  of which resize + crop + normalise of the 8 decoded frames", runs, () => processor.Preprocess(frames));
        double pre = Time("pre-processing (probe + decode 8 frames + resize + crop + normalise), 1 video", runs, () => preprocessor.Process([video]));
        string[][] four = Enumerable.Repeat(new[] { video }, 4).ToArray();
        var oneAtATime = new VisionPreprocessor(preprocessor.Config, numFrames: 8) { MaxConcurrentFiles = 1 };
        double sequential = Time("pre-processing of 4 videos, one file at a time", runs, () => oneAtATime.ProcessEach(four));
        double concurrent = Time($"pre-processing of 4 videos, {preprocessor.MaxConcurrentFiles} files at a time", runs, () => preprocessor.ProcessEach(four));
        Console.WriteLine($"  4 videos: {32 / (sequential / 1000):F1} frames/s one at a time, {32 / (concurrent / 1000):F1} frames/s concurrently ({sequential / concurrent:F2}×)");
        using XClipModel model = XClipModel.CreateRandom(new XClipConfig(), seed: 1);
        double infer = Time("X-CLIP base get_video_features on the same 8 frames", runs, () => model.GetVideoFeatures(pixels));
        Console.WriteLine($"  resize + crop + normalise alone: {8 / (resize / 1000):F1} frames/s, {infer / resize:F1}× faster than the model");
        Console.WriteLine($"  pre-processing {8 / (pre / 1000):F1} frames/s, model {8 / (infer / 1000):F1} frames/s: pre-processing is {infer / pre:F2}× faster than the model");
    }

    private static void WarmPageCache(string path)
    {
        using FileStream stream = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        while (stream.Read(buffer, 0, buffer.Length) > 0)
        {
        }
    }

    private static long SamplePeak(Action action)
    {
        long peak = 0;
        using var cancel = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            using var process = Process.GetCurrentProcess();
            while (!cancel.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                Thread.Sleep(5);
            }
        });
        action();
        cancel.Cancel();
        sampler.Wait();
        return peak;
    }

    /// <summary>
    /// Load time and peak working set of a full-size AltCLIP checkpoint (e.g. written by <c>altclip-save</c>), memory-mapped
    /// from a warm page cache, while embedding 8 images and then 8 texts (each tower's weights are packed on first use).
    /// </summary>
    private static void AltClipLoad(string folder, int runs)
    {
        WarmPageCache(Path.Combine(folder, "model.safetensors"));
        var load = Stopwatch.StartNew();
        using AltClipModel model = AltClipModel.FromPretrained(folder);
        long weights = model.ParameterCount * 4;
        Console.WriteLine($"AltCLIP loaded from mapped safetensors in {load.Elapsed.TotalSeconds:F2} s ({weights / (double)(1 << 30):F2} GiB of weights); "
            + $"working set {Process.GetCurrentProcess().WorkingSet64 / (double)(1 << 30):F2} GiB, managed heap {GC.GetTotalMemory(true) / (double)(1 << 20):F0} MiB");
        Tensor pixels = Random(8, 3, 224, 224);
        var tokens = new TokenBatch(Enumerable.Range(0, 8 * 32).Select(i => (long)(i % 32 == 0 ? 0 : i % 32 == 31 ? 2 : 1000 + i)).ToArray(), null, 8, 32);
        long imagePeak = SamplePeak(() => Time("AltCLIP (mapped safetensors) get_image_features, 8 images", runs, () => model.GetImageFeatures(pixels)));
        long textPeak = SamplePeak(() => Time("AltCLIP (mapped safetensors) get_text_features, 8 texts × 32 tokens", runs, () => model.GetTextFeatures(tokens)));
        foreach (var (what, peak) in new[] { ("images (incl. packing the vision tower)", imagePeak), ("texts (incl. packing the text tower)", textPeak) })
        {
            Console.WriteLine($"  peak working set while embedding {what}: {peak / (double)(1 << 30):F2} GiB = weights + {(peak - weights) / (double)(1 << 20):F0} MiB");
        }

        Console.WriteLine($"  process peak {PeakWorkingSet() / (double)(1 << 30):F2} GiB (includes the mapped file pages while resident); managed heap {GC.GetTotalMemory(false) / (double)(1 << 20):F0} MiB");
    }

    /// <summary>The <c>BAAI/AltCLIP</c> shape: XLM-R large text tower (24 × 1024), ViT-L/14 vision tower, projection 768.</summary>
    internal static AltClipConfig AltClipLarge() => new()
    {
        ProjectionDim = 768,
        TextConfig = new AltClipTextConfig(),
        VisionConfig = new AltClipVisionConfig { HiddenSize = 1024, IntermediateSize = 4096, NumHiddenLayers = 24, NumAttentionHeads = 16, PatchSize = 14, ImageSize = 224 },
    };

    private static void XClip(int runs)
    {
        var config = new XClipConfig(); // microsoft/xclip-base-patch32: ViT-B/32, 8 frames, 12-layer text tower
        var build = Stopwatch.StartNew();
        using XClipModel model = XClipModel.CreateRandom(config, seed: 1);
        Console.WriteLine($"X-CLIP base-patch32 (random weights) built in {build.Elapsed.TotalSeconds:F1} s");
        var tokens = new TokenBatch(Enumerable.Range(0, 3 * 16).Select(i => (long)(i % 16 == 15 ? 49407 : 100 + i)).ToArray(), null, 3, 16);
        foreach (int videos in new[] { 1, 4 })
        {
            Tensor pixels = Random(videos, 8, 3, 224, 224);
            Time($"X-CLIP forward, {videos} video(s) × 8 frames + 3 texts", runs, () => model.Forward(tokens, pixels));
            Time($"X-CLIP get_video_features, {videos} video(s)", runs, () => model.GetVideoFeatures(pixels));
        }

        Time("X-CLIP get_text_features, 3 texts × 16 tokens", runs, () => model.GetTextFeatures(tokens));
    }

    private static void AltClipMemory(int runs)
    {
        AltClipConfig config = AltClipLarge();
        var build = Stopwatch.StartNew();
        using AltClipModel model = AltClipModel.CreateRandom(config, seed: 1);
        long parameters = model.ParameterCount;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long afterBuild = Process.GetCurrentProcess().WorkingSet64;
        Console.WriteLine($"AltCLIP (BAAI/AltCLIP shape, random weights): {parameters / 1e9:F3} B parameters = {parameters * 4 / (double)(1 << 30):F2} GiB of float32, built in {build.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"  working set after build: {afterBuild / (double)(1 << 30):F2} GiB; peak so far {PeakWorkingSet() / (double)(1 << 30):F2} GiB");

        Tensor pixels = Random(8, 3, 224, 224);
        long peak = 0;
        using var cancel = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            using var process = Process.GetCurrentProcess();
            while (!cancel.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                Thread.Sleep(5);
            }
        });
        Time("AltCLIP get_image_features, 8 images 224 px (ViT-L/14)", runs, () => model.GetImageFeatures(pixels));
        cancel.Cancel();
        sampler.Wait();
        Console.WriteLine($"  peak working set while embedding 8 images: {peak / (double)(1 << 30):F2} GiB = weights + {(peak - (parameters * 4)) / (double)(1 << 20):F0} MiB (runtime, inputs and activations)");

        var tokens = new TokenBatch(Enumerable.Range(0, 8 * 32).Select(i => (long)(i % 32 == 0 ? 0 : i % 32 == 31 ? 2 : 1000 + i)).ToArray(), null, 8, 32);
        Time("AltCLIP get_text_features, 8 texts × 32 tokens (XLM-R large)", runs, () => model.GetTextFeatures(tokens));
    }

    private static double Time(string what, int runs, Action action)
    {
        action(); // warm-up
        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine($"  {what}: median {times[times.Count / 2]:F0} ms (min {times[0]:F0}, max {times[^1]:F0}, {runs} runs)");
        return times[times.Count / 2];
    }

    private static Tensor Random(params int[] shape)
    {
        var random = new Random(7);
        var tensor = new Tensor(shape);
        for (int i = 0; i < tensor.Length; i++)
        {
            tensor.Span[i] = (random.NextSingle() * 4) - 2;
        }

        return tensor;
    }

    private static long PeakWorkingSet() => Process.GetCurrentProcess().PeakWorkingSet64;

    private static bool Vector512IsHardwareAccelerated() => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;
}
