using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>pixel_values equal to transformers 4.37.2 + Pillow 9.4 (fixtures/processors/expected), decoded with ffmpeg.</summary>
[TestClass]
public sealed class ImageProcessorParityTests
{
    private static readonly VideoDecoder Decoder = new();

    [TestMethod]
    public void XClipOnTheEightSampledTestsrcFramesIsExact()
    {
        var processor = VideoMaeImageProcessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));
        RgbImage[] frames = Decoder.ReadFrames(VisionFixtures.TestsrcVideo, VisionFixtures.TestsrcIndices);

        Tensor actual = processor.Preprocess(frames);

        using var expected = VisionFixtures.Expected("xclip_testsrc_8frames");
        TensorAssert.Close(expected.LoadFloat32("pixel_values"), actual, 0f, "X-CLIP pixel_values of testsrc.mp4");
    }

    [TestMethod]
    public void XClipOnTheFiveRgbImagesAsFramesIsExact()
    {
        var processor = VideoMaeImageProcessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));
        RgbImage[] frames = VisionFixtures.RgbImageNames.Select(n => Decoder.ReadImage(VisionFixtures.Image(n))).ToArray();

        Tensor actual = processor.Preprocess(frames);

        using var expected = VisionFixtures.Expected("xclip_rgb_images_as_frames");
        TensorAssert.Close(expected.LoadFloat32("pixel_values"), actual, 0f, "X-CLIP pixel_values of the five RGB images");
    }

    [TestMethod]
    public void AltClipOnEveryImageIncludingGrayAndRgbaIsExact()
    {
        var processor = ClipImageProcessor.FromPretrained(VisionFixtures.Config("altclip"));
        using var expected = VisionFixtures.Expected("altclip_images");
        foreach (string name in VisionFixtures.AllImageNames)
        {
            Tensor actual = processor.Preprocess(Decoder.ReadImage(VisionFixtures.Image(name)));
            TensorAssert.Close(expected.LoadFloat32(name), actual, 0f, $"AltCLIP pixel_values of {name}.png");
        }
    }

    [TestMethod]
    public void AltClipBatchStacksImagesInOrder()
    {
        var processor = ClipImageProcessor.FromPretrained(VisionFixtures.Config("altclip"));
        RgbImage[] images = VisionFixtures.AllImageNames.Select(n => Decoder.ReadImage(VisionFixtures.Image(n))).ToArray();

        Tensor batch = processor.Preprocess(images);

        CollectionAssert.AreEqual(new[] { images.Length, 3, 224, 224 }, batch.Shape.ToArray());
        using var expected = VisionFixtures.Expected("altclip_images");
        for (int i = 0; i < images.Length; i++)
        {
            TensorAssert.Close(expected.LoadFloat32(VisionFixtures.AllImageNames[i]).Reshape(3, 224, 224), batch.Slice(i), 0f,
                $"batch item {i} ({VisionFixtures.AllImageNames[i]})");
        }
    }

    [TestMethod]
    public void PreprocessIntoACallerBufferGivesTheSameValues()
    {
        var processor = ClipImageProcessor.FromPretrained(VisionFixtures.Config("altclip"));
        RgbImage image = Decoder.ReadImage(VisionFixtures.Image("rgb_97x61"));
        (int h, int w) = processor.OutputSize(image.Width, image.Height);
        var buffer = new float[3 * h * w];

        processor.PreprocessInto(image, buffer);

        using var expected = VisionFixtures.Expected("altclip_images");
        TensorAssert.Close(expected.LoadFloat32("rgb_97x61").Span, buffer, 0f, "rgb_97x61 into a buffer");
        Assert.ThrowsExactly<ArgumentException>(() => processor.PreprocessInto(image, new float[10]));
    }
}
