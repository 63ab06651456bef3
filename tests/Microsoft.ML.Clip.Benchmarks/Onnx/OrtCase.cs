using Microsoft.ML.Clip.Cli.Bench;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Clip.Benchmarks.Onnx;

/// <summary>
/// One model benchmark of <c>clip bench</c> as both sides run it: our call (the catalog's, timed exactly as
/// <c>clip bench</c> times it) and the ONNX graph <c>tests/perf/export_onnx.py</c> exported from
/// <c>torch_reference.py</c> with the same checkpoint, fed the same tensors.
/// </summary>
/// <param name="Name">The <c>clip bench</c> name; the graph is <c>onnx/NAME/model.onnx</c> under the checkpoint root.</param>
/// <param name="Ours">Our output for the benchmark's inputs (flattened), compared once with ORT's.</param>
/// <param name="Inputs">The graph's inputs, by name, built from the same deterministic tensors as <c>clip bench</c>'s.</param>
internal sealed record OrtCase(string Name, Func<BenchmarkModels, float[]> Ours, Func<IReadOnlyList<(string Name, OrtInput Value)>> Inputs)
{
    private const int TextLength = 16; // BenchmarkCatalog's

    /// <summary>The model benchmarks, in <c>clip bench</c>'s order.</summary>
    public static IReadOnlyList<OrtCase> All { get; } =
    [
        Video("xclip.video.b1", 1),
        Video("xclip.video.b4", 4),
        new("xclip.forward.v1t10",
            m => m.XClip.Forward(XClipTokens(m, 10), BenchmarkModels.Pixels(1, 8, 3, 224, 224)).LogitsPerVideo.ToArray(),
            () =>
            [
                ("input_ids", OrtInput.Ids(BenchmarkModels.Tokens(10, TextLength, XClipVocabulary))),
                ("attention_mask", OrtInput.Ones(10, TextLength)),
                ("pixel_values", OrtInput.Floats(BenchmarkModels.Pixels(1, 8, 3, 224, 224))),
            ]),
        new("xclip.text.b32",
            m => m.XClip.GetTextFeatures(XClipTokens(m, 32)).ToArray(),
            () => [("input_ids", OrtInput.Ids(BenchmarkModels.Tokens(32, TextLength, XClipVocabulary)))]),
        Image("altclip.image.b1", 1, m => m.AltClip),
        Image("altclip.image.b4", 4, m => m.AltClip),
        new("altclip.text.b32",
            m => m.AltClip.GetTextFeatures(BenchmarkModels.Tokens(32, TextLength, m.AltClip.Config.TextConfig.VocabSize)).ToArray(),
            () => [("input_ids", OrtInput.Ids(BenchmarkModels.Tokens(32, TextLength, AltClipVocabulary)))]),
        Image("altclip-vitl14.image.b1", 1, m => m.AltClipVitL14),
    ];

    // The default configurations' vocabularies (XCLIPTextConfig, AltCLIPTextConfig); Ours reads them from the model.
    private static int XClipVocabulary => new XClip.XClipConfig().TextConfig.VocabSize;

    private static int AltClipVocabulary => new AltClip.AltClipConfig().TextConfig.VocabSize;

    /// <summary>The model family (the checkpoint folder and <see cref="BenchmarkModels"/>' cache key).</summary>
    public string Family => Name.Split('.')[0];

    /// <summary>The <c>clip bench</c> case of the same name (our timed call and its FLOP count).</summary>
    public BenchmarkCase Bench => BenchmarkCatalog.All.Single(b => b.Name == Name);

    private static Modeling.TokenBatch XClipTokens(BenchmarkModels m, int texts) =>
        BenchmarkModels.Tokens(texts, TextLength, m.XClip.Config.TextConfig.VocabSize);

    private static OrtCase Video(string name, int videos) => new(
        name,
        m => m.XClip.GetVideoFeatures(BenchmarkModels.Pixels(videos, 8, 3, 224, 224)).ToArray(),
        () => [("pixel_values", OrtInput.Floats(BenchmarkModels.Pixels(videos, 8, 3, 224, 224)))]);

    private static OrtCase Image(string name, int images, Func<BenchmarkModels, AltClip.AltClipModel> model) => new(
        name,
        m => model(m).GetImageFeatures(BenchmarkModels.Pixels(images, 3, 224, 224)).ToArray(),
        () => [("pixel_values", OrtInput.Floats(BenchmarkModels.Pixels(images, 3, 224, 224)))]);
}

/// <summary>A graph input: its values (float32 or int64) and shape, turned into an <see cref="OrtValue"/> per run.</summary>
/// <param name="FloatValues">Float32 values, or null.</param>
/// <param name="LongValues">Int64 values, or null.</param>
/// <param name="Shape">The shape.</param>
internal sealed record OrtInput(float[]? FloatValues, long[]? LongValues, long[] Shape)
{
    /// <summary>A float32 tensor's values and shape.</summary>
    public static OrtInput Floats(Tensor tensor) => new(tensor.ToArray(), null, tensor.Shape.ToArray().Select(d => (long)d).ToArray());

    /// <summary><c>input_ids [texts, length]</c>.</summary>
    public static OrtInput Ids(Modeling.TokenBatch tokens) => new(null, tokens.InputIds.ToArray(), [tokens.Batch, tokens.Length]);

    /// <summary>An all-ones int64 <c>attention_mask</c>.</summary>
    public static OrtInput Ones(int texts, int length) => new(null, Enumerable.Repeat(1L, texts * length).ToArray(), [texts, length]);

    /// <summary>An <see cref="OrtValue"/> over the values (no copy; the values must outlive it).</summary>
    public OrtValue ToOrtValue() => FloatValues is not null
        ? OrtValue.CreateTensorValueFromMemory(FloatValues, Shape)
        : OrtValue.CreateTensorValueFromMemory(LongValues!, Shape);
}
