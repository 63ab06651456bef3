using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

[TestClass]
public sealed class ExtremeAspectRatioTests
{
    [TestMethod]
    public void AOnePixelHighImageOnlyComputesTheCrop()
    {
        var pixels = new byte[100_000 * 3];
        for (int i = 0; i < pixels.Length; i += 3)
        {
            (pixels[i], pixels[i + 1], pixels[i + 2]) = (10, 120, 250);
        }

        // Shortest edge 1 → 22 400 000 × 224 after resizing (15 GB in Pillow); only the 224 × 224 crop is made here.
        var processor = new ClipImageProcessor(ImageProcessorConfig.ClipDefaults with { DoNormalize = false });
        var pixelValues = processor.Preprocess(new RgbImage(100_000, 1, pixels));

        CollectionAssert.AreEqual(new[] { 1, 3, 224, 224 }, pixelValues.Shape.ToArray());
        Assert.AreEqual((float)(10 / 255.0), pixelValues[0, 0, 100, 100]);
        Assert.AreEqual((float)(250 / 255.0), pixelValues[0, 2, 223, 0]);
    }
}
