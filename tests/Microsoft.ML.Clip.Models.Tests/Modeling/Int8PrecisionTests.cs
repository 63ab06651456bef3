using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Tests.Modeling;

/// <summary>
/// <see cref="ComputePrecision.Int8"/> on the tiny fixture checkpoints: embeddings close to float32 (cosine) and the same
/// zero-shot top-1. The fixtures are tiny (hidden 32, intermediate 37): a layer sums only 32–37 int8 products, so the
/// relative quantization noise is larger than on real models (where k = 512–4096); the bound asserted is the issue's goal.
/// </summary>
[TestClass]
public sealed class Int8PrecisionTests
{
    /// <summary>The goal of issue #17: cosine(int8, float32) ≥ 0.999 for every embedding.</summary>
    private const double CosineGoal = 0.999;

    private static readonly ModelFixture XClipFixture = new("xclip-tiny");
    private static readonly ModelFixture AltClipFixture = new("altclip-tiny");
    private static readonly ModelOptions Int8 = new() { Precision = ComputePrecision.Int8 };

    [TestMethod]
    public void XClipInt8EmbeddingsMatchFloat32AndKeepTheTopClass()
    {
        using XClipModel float32 = XClipModel.FromPretrained(XClipFixture.Folder);
        using XClipModel int8 = XClipModel.FromPretrained(XClipFixture.Folder, options: Int8);
        Assert.AreEqual(ComputePrecision.Float32, float32.Options.Precision);
        Assert.AreEqual(ComputePrecision.Int8, int8.Options.Precision);
        TokenBatch tokens = XClipFixture.Tokens();
        Tensor pixels = XClipFixture.Pixels();

        AssertRowCosines(float32.GetTextFeatures(tokens), int8.GetTextFeatures(tokens), "text features");
        AssertRowCosines(float32.GetVideoFeatures(pixels), int8.GetVideoFeatures(pixels), "video features");
        XClipOutput reference = float32.Forward(tokens, pixels);
        XClipOutput quantized = int8.Forward(tokens, pixels);
        AssertRowCosines(reference.VideoEmbeds, quantized.VideoEmbeds, "video embeds");
        AssertRowCosines(reference.TextEmbeds.Reshape(-1, reference.TextEmbeds.Dim(-1)), quantized.TextEmbeds.Reshape(-1, quantized.TextEmbeds.Dim(-1)), "text embeds");
        AssertSameTopClass(reference.LogitsPerVideo, quantized.LogitsPerVideo, "video");
        Assert.IsFalse(SameBits(reference.VideoEmbeds, quantized.VideoEmbeds), "int8 really changes the numerics");
    }

    [TestMethod]
    public void AltClipInt8EmbeddingsMatchFloat32AndKeepTheTopClass()
    {
        using AltClipModel float32 = AltClipModel.FromPretrained(AltClipFixture.Folder);
        using AltClipModel int8 = AltClipModel.FromPretrained(AltClipFixture.Folder, options: Int8);
        TokenBatch tokens = AltClipFixture.Tokens();
        Tensor pixels = AltClipFixture.Pixels();

        AssertRowCosines(float32.GetTextFeatures(tokens), int8.GetTextFeatures(tokens), "text features");
        AssertRowCosines(float32.GetImageFeatures(pixels), int8.GetImageFeatures(pixels), "image features");
        AltClipOutput reference = float32.Forward(tokens, pixels);
        AltClipOutput quantized = int8.Forward(tokens, pixels);
        AssertSameTopClass(reference.LogitsPerImage, quantized.LogitsPerImage, "image");
        Assert.IsFalse(SameBits(reference.ImageEmbeds, quantized.ImageEmbeds), "int8 really changes the numerics");
    }

    [TestMethod]
    public void RandomModelsTakeTheOptionToo()
    {
        using XClipModel model = XClipModel.CreateRandom(XClipModelTestsConfig(), seed: 3, new ModelOptions { Precision = ComputePrecision.Int8 });
        Assert.AreEqual(ComputePrecision.Int8, model.Options.Precision);
        using AltClipModel altclip = AltClipModel.CreateRandom(AltClipConfig.FromFile(Path.Combine(AltClipFixture.Folder, "config.json")), seed: 3);
        Assert.AreSame(ModelOptions.Default, altclip.Options);
    }

    [TestMethod]
    public void AnUndefinedPrecisionIsRejected()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => XClipModel.CreateRandom(XClipModelTestsConfig(), options: new ModelOptions { Precision = (ComputePrecision)5 }));
        StringAssert.Contains(error.Message, "Float32 or Int8");
    }

    private static XClipConfig XClipModelTestsConfig() => XClip.XClipModelTests.OtherConfig();

    private static void AssertRowCosines(Tensor expected, Tensor actual, string what)
    {
        int width = expected.Dim(-1);
        int rows = expected.Length / width;
        for (int r = 0; r < rows; r++)
        {
            double cosine = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(
                expected.Span.Slice(r * width, width), actual.Span.Slice(r * width, width));
            Console.WriteLine($"{what} row {r}: cosine {cosine:F6}");
            Assert.IsTrue(cosine >= CosineGoal, $"{what} row {r}: cosine(int8, float32) = {cosine:F6} < {CosineGoal}");
        }
    }

    private static void AssertSameTopClass(Tensor expected, Tensor actual, string what)
    {
        int classes = expected.Dim(1);
        for (int r = 0; r < expected.Dim(0); r++)
        {
            ReadOnlySpan<float> e = expected.Span.Slice(r * classes, classes);
            ReadOnlySpan<float> a = actual.Span.Slice(r * classes, classes);
            Console.WriteLine($"{what} {r}: float32 logits [{string.Join(", ", e.ToArray())}], int8 [{string.Join(", ", a.ToArray())}]");
            Assert.AreEqual(
                System.Numerics.Tensors.TensorPrimitives.IndexOfMax(e), System.Numerics.Tensors.TensorPrimitives.IndexOfMax(a), $"{what} {r}: zero-shot top-1");
        }
    }

    private static bool SameBits(Tensor a, Tensor b) => a.Span.SequenceEqual(b.Span);
}
