using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>The benchmarks of <c>clip bench</c>, with the shapes of the PyTorch reference runs (texts of 16 tokens).</summary>
internal static class BenchmarkCatalog
{
    private const int TextLength = 16;
    private const long FmaIterations = 20_000_000;

    // 37 clips × 8 frames = 296 of the benchmark video's 300 frames.
    private const int DenseClips = 37;

    /// <summary>Every benchmark, in the order they run: each model family's load first, then its calls.</summary>
    public static IReadOnlyList<BenchmarkCase> All { get; } =
    [
        Load("xclip", "X-CLIP base/32 XClipModel", (path, options) => XClipModel.FromPretrained(path, null, options)),
        new("xclip.video.b1", "X-CLIP base/32 get_video_features, 1 video × 8 × 224²", m => XClipVideo(m, 1), Frames: 8,
            Outputs: m => [m.XClip.GetVideoFeatures(BenchmarkModels.Pixels(1, 8, 3, 224, 224))]),
        new("xclip.video.b4", "X-CLIP base/32 get_video_features, 4 videos × 8 × 224²", m => XClipVideo(m, 4), Frames: 32,
            Outputs: m => [m.XClip.GetVideoFeatures(BenchmarkModels.Pixels(4, 8, 3, 224, 224))]),
        new("xclip.forward.v1t10", "X-CLIP base/32 forward, 1 video + 10 texts × 16 tokens", m =>
        {
            Tensor pixels = BenchmarkModels.Pixels(1, 8, 3, 224, 224);
            var tokens = BenchmarkModels.Tokens(10, TextLength, m.XClip.Config.TextConfig.VocabSize);
            return (() => m.XClip.Forward(tokens, pixels), FlopCount.XClipForward(m.XClip.Config, 1, 10, TextLength));
        }, Frames: 8, Outputs: m =>
        {
            XClipOutput output = m.XClip.Forward(BenchmarkModels.Tokens(10, TextLength, m.XClip.Config.TextConfig.VocabSize), BenchmarkModels.Pixels(1, 8, 3, 224, 224));
            return [output.VideoEmbeds, output.TextEmbeds];
        }),
        new("xclip.text.b32", "X-CLIP base/32 get_text_features, 32 texts × 16 tokens", m =>
        {
            var tokens = BenchmarkModels.Tokens(32, TextLength, m.XClip.Config.TextConfig.VocabSize);
            return (() => m.XClip.GetTextFeatures(tokens), FlopCount.XClipText(m.XClip.Config, 32, TextLength));
        }, Outputs: m => [m.XClip.GetTextFeatures(BenchmarkModels.Tokens(32, TextLength, m.XClip.Config.TextConfig.VocabSize))]),
        Load("altclip", "AltCLIP (default config) AltClipModel", (path, options) => AltClipModel.FromPretrained(path, null, options)),
        new("altclip.image.b1", "AltCLIP (default config, ViT-B/32) get_image_features, 1 image 224²", m => AltClipImage(m, 1),
            Outputs: m => [m.AltClip.GetImageFeatures(BenchmarkModels.Pixels(1, 3, 224, 224))]),
        new("altclip.image.b4", "AltCLIP (default config, ViT-B/32) get_image_features, 4 images 224²", m => AltClipImage(m, 4),
            Outputs: m => [m.AltClip.GetImageFeatures(BenchmarkModels.Pixels(4, 3, 224, 224))]),
        new("altclip.text.b32", "AltCLIP (default config, XLM-R large) get_text_features, 32 texts × 16 tokens", m =>
        {
            var tokens = BenchmarkModels.Tokens(32, TextLength, m.AltClip.Config.TextConfig.VocabSize);
            return (() => m.AltClip.GetTextFeatures(tokens), FlopCount.AltClipText(m.AltClip.Config, 32, TextLength));
        }, Outputs: m => [m.AltClip.GetTextFeatures(BenchmarkModels.Tokens(32, TextLength, m.AltClip.Config.TextConfig.VocabSize))]),
        Load("altclip-vitl14", "AltCLIP (ViT-L/14 vision) AltClipModel", (path, options) => AltClipModel.FromPretrained(path, null, options)),
        new("altclip-vitl14.image.b1", "BAAI/AltCLIP vision shape (ViT-L/14) get_image_features, 1 image 224²", m =>
        {
            Tensor pixels = BenchmarkModels.Pixels(1, 3, 224, 224);
            return (() => m.AltClipVitL14.GetImageFeatures(pixels), FlopCount.AltClipImage(m.AltClipVitL14.Config, 1));
        }, Outputs: m => [m.AltClipVitL14.GetImageFeatures(BenchmarkModels.Pixels(1, 3, 224, 224))]),
        new("preprocess.1080p.v1", "X-CLIP processor on a 10 s 1080p H.264 video: probe, decode, 8 uniform frames resized, cropped, normalised",
            m => Preprocess(m, videos: 1, FrameSampling.Uniform, expectedItems: 1), Frames: 8),
        new("preprocess.1080p.v4", "the same for 4 videos at once (as xclip.video.b4 takes them)",
            m => Preprocess(m, videos: 4, FrameSampling.Uniform, expectedItems: 4), Frames: 32),
        new("preprocess.1080p.dense", $"every frame: {DenseClips} clips × 8 frames of the 10 s 1080p video (the model's frames are the decoded frames)",
            m => Preprocess(m, videos: 1, new FrameSampling(FrameSamplingKind.Clips, ClipCount: DenseClips), expectedItems: DenseClips), Frames: DenseClips * 8),
        new("gemm.peak", "FMA peak of one core (register-only loop, AVX-512 or AVX2)", _ =>
            (() => FmaPeak.Run(FmaIterations), FmaPeak.Flops(FmaIterations)), BestIsPeak: true),
    ];

    /// <summary>
    /// <c>family.load</c>: <c>FromPretrained</c> of the family's temporary checkpoint, memory-mapped, from a warm page
    /// cache (the file is read once first); the weights are packed on first use, which the family's next benchmark pays.
    /// </summary>
    private static BenchmarkCase Load(string family, string model, Func<string, ModelOptions, IDisposable> load) =>
        new($"{family}.load", $"{model}.FromPretrained from memory-mapped safetensors (warm page cache; weights are packed on first use)", m =>
        {
            CheckpointFolder folder = m.Checkpoint(family);
            folder.WarmPageCache();
            var options = new ModelOptions { Precision = m.Precision };
            return (() => load(folder.Path, options).Dispose(), 0);
        });

    private static (Action, double) XClipVideo(BenchmarkModels m, int videos)
    {
        Tensor pixels = BenchmarkModels.Pixels(videos, 8, 3, 224, 224);
        return (() => m.XClip.GetVideoFeatures(pixels), FlopCount.XClipVideo(m.XClip.Config, videos));
    }

    /// <summary>X-CLIP base's pre-processing (VideoMAE processor, 224², 8 frames a clip) of the benchmark video, <paramref name="videos"/> times at once.</summary>
    private static (Action, double) Preprocess(BenchmarkModels m, int videos, FrameSampling sampling, int expectedItems)
    {
        var preprocessor = new VisionPreprocessor(ImageProcessorConfig.VideoMaeDefaults, numFrames: 8, sampling);
        IReadOnlyList<string>[] inputs = Enumerable.Repeat<IReadOnlyList<string>>([m.Video.Path], videos).ToArray();
        int items = preprocessor.ProcessEach(inputs).Sum(pixels => pixels.Dim(0));
        if (items != expectedItems)
        {
            throw new InvalidOperationException($"The benchmark video gave {items} clip(s), not {expectedItems}: its frame count is not the expected 300.");
        }

        return (() => preprocessor.ProcessEach(inputs), 0);
    }

    private static (Action, double) AltClipImage(BenchmarkModels m, int images)
    {
        Tensor pixels = BenchmarkModels.Pixels(images, 3, 224, 224);
        return (() => m.AltClip.GetImageFeatures(pixels), FlopCount.AltClipImage(m.AltClip.Config, images));
    }
}
