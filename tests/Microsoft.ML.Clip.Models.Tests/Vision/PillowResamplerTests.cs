using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

[TestClass]
public sealed class PillowResamplerTests
{
    [TestMethod]
    public void AWindowEqualsTheSameRegionOfTheFullResize()
    {
        RgbImage image = new VideoDecoder().ReadImage(VisionFixtures.Image("rgb_320x240"));
        foreach (ResampleFilter filter in new[] { ResampleFilter.Bilinear, ResampleFilter.Bicubic, ResampleFilter.Lanczos, ResampleFilter.Box, ResampleFilter.Hamming })
        {
            RgbImage full = PillowResampler.Resize(image, 298, 224, filter);
            RgbImage window = PillowResampler.ResizeWindow(image, 298, 224, filter, 37, 11, 200, 190);

            for (int y = 0; y < 190; y++)
            {
                CollectionAssert.AreEqual(full.Pixels.AsSpan(((y + 11) * 298 + 37) * 3, 600).ToArray(), window.Pixels.AsSpan(y * 600, 600).ToArray(), $"{filter} row {y}");
            }
        }
    }

    [TestMethod]
    public void SameSizeIsACopy()
    {
        RgbImage image = new VideoDecoder().ReadImage(VisionFixtures.Image("rgb_97x61"));

        RgbImage same = PillowResampler.Resize(image, 97, 61, ResampleFilter.Bicubic);

        Assert.AreNotSame(image.Pixels, same.Pixels);
        CollectionAssert.AreEqual(image.Pixels, same.Pixels);
    }

    [TestMethod]
    public void ConstantImageStaysConstantWhenUpscaledOrDownscaled()
    {
        var pixels = new byte[40 * 30 * 3];
        for (int i = 0; i < pixels.Length; i += 3)
        {
            (pixels[i], pixels[i + 1], pixels[i + 2]) = (200, 17, 255);
        }

        var image = new RgbImage(40, 30, pixels);
        foreach ((int w, int h) in new[] { (113, 77), (7, 5), (40, 90) })
        {
            RgbImage resized = PillowResampler.Resize(image, w, h, ResampleFilter.Bicubic);
            for (int i = 0; i < resized.Pixels.Length; i += 3)
            {
                Assert.AreEqual((200, 17, 255), (resized.Pixels[i], resized.Pixels[i + 1], resized.Pixels[i + 2]), $"{w}×{h}");
            }
        }
    }

    [TestMethod]
    public void NearestIsRejectedWithAHint()
    {
        var image = new RgbImage(2, 2, new byte[12]);

        var ex = Assert.ThrowsExactly<NotSupportedException>(() => PillowResampler.Resize(image, 3, 3, ResampleFilter.Nearest));

        StringAssert.Contains(ex.Message, "BILINEAR");
    }
}
