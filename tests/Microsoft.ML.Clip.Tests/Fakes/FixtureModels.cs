using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.XClip;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Tests.Fakes;

/// <summary>The tiny fixture checkpoints (tests/fixtures/models), their inputs and the reference outputs.</summary>
internal sealed class ModelFixtureData
{
    public ModelFixtureData(string name)
    {
        Folder = TestFixtures.Path("models/" + name);
        Inputs = SafeTensorsFile.Open(Path.Combine(Folder, "inputs.safetensors"));
        Expected = SafeTensorsFile.Open(Path.Combine(Folder, "expected.safetensors"));
    }

    public string Folder { get; }

    public SafeTensorsFile Inputs { get; }

    public SafeTensorsFile Expected { get; }

    /// <summary>Rows of a [n, ...] tensor, flattened.</summary>
    public float[][] Rows(SafeTensorsFile file, string name)
    {
        var t = file.LoadFloat32(name);
        int row = t.Span.Length / t.Dim(0);
        return Enumerable.Range(0, t.Dim(0)).Select(i => t.Span.Slice(i * row, row).ToArray()).ToArray();
    }
}

/// <summary>Text "t{i}" is row i of the fixture's input_ids (the tiny models have made-up vocabularies).</summary>
internal sealed class FixtureTokenizer(SafeTensorsFile inputs) : ITextTokenizer
{
    private readonly (long[] Ids, long[] Mask)[] _rows = Load(inputs);

    public int ModelMaxLength => 77;

    public int PadTokenId => 1;

    public int VocabularySize => 1000;

    public int[] Encode(string text) => _rows[Row(text)].Ids.Select(i => (int)i).ToArray();

    public TokenizedBatch EncodeBatch(IReadOnlyList<string> texts, int? maxLength = null, Padding padding = Padding.None, bool truncation = false) =>
        new(texts.Select(t => _rows[Row(t)].Ids).ToArray(), texts.Select(t => _rows[Row(t)].Mask).ToArray());

    public string Decode(IReadOnlyList<int> ids, bool skipSpecialTokens = false) => string.Join(" ", ids);

    private static int Row(string text) => int.Parse(text.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);

    private static (long[], long[])[] Load(SafeTensorsFile inputs)
    {
        var (ids, shape) = inputs.LoadInt64("input_ids");
        var (mask, _) = inputs.LoadInt64("attention_mask");
        return Enumerable.Range(0, shape[0])
            .Select(r => (ids.AsSpan(r * shape[1], shape[1]).ToArray(), mask.AsSpan(r * shape[1], shape[1]).ToArray()))
            .ToArray();
    }
}

/// <summary>
/// Loads the fixture checkpoints with <see cref="FixtureTokenizer"/>; the fixture folders have no preprocessor (pixel
/// inputs only), folders made by <see cref="ProcessorModelFolders"/> have one (files and decoded images too).
/// </summary>
internal sealed class FixtureModelLoader : IClipModelLoader
{
    public static readonly ModelFixtureData XClip = new("xclip-tiny");
    public static readonly ModelFixtureData AltClip = new("altclip-tiny");

    public ITextEmbedder LoadTextEmbedder(ClipModelFamily family, string model) =>
        family == ClipModelFamily.XClip ? LoadXClip(model) : LoadAltClip(model);

    public IVideoEmbedder LoadVideoEmbedder(string model) => LoadXClip(model);

    public IImageEmbedder LoadImageEmbedder(string model) => LoadAltClip(model);

    public IZeroShotScorer<VideoInput> LoadVideoZeroShotScorer(string model) => LoadXClip(model);

    public IZeroShotScorer<ImageInput> LoadImageZeroShotScorer(string model) => LoadAltClip(model);

    private static XClipEmbedder LoadXClip(string model) =>
        new(XClipModel.FromPretrained(model), new FixtureTokenizer(XClip.Inputs), Preprocessor(model), ownsModel: true);

    private static AltClipEmbedder LoadAltClip(string model) =>
        new(AltClipModel.FromPretrained(model), new FixtureTokenizer(AltClip.Inputs), Preprocessor(model), ownsModel: true);

    private static VisionPreprocessor? Preprocessor(string model) =>
        File.Exists(Path.Combine(model, "preprocessor_config.json")) ? VisionPreprocessor.FromPretrained(model) : null;
}

/// <summary>
/// The repository's <c>samples/models</c> folders: the tiny fixture checkpoints (the same weights) with a 32-pixel
/// <c>preprocessor_config.json</c>, so image files, frame files and decoded images can be fed. Only read.
/// </summary>
internal static class ProcessorModelFolders
{
    public static string XClip => TestFixtures.Path("../../samples/models/xclip-tiny");

    public static string AltClip => TestFixtures.Path("../../samples/models/altclip-tiny");
}

public sealed class XClipPixelsRow
{
    [VectorType(3 * 3 * 32 * 32)]
    public float[] Video { get; set; } = [];
}

public sealed class AltClipPixelsRow
{
    [VectorType(3 * 32 * 32)]
    public float[] Image { get; set; } = [];
}
