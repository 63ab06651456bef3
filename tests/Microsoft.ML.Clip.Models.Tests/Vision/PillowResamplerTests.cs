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
    public void AnImageGivenOnlyAsTheSourceWindowResizesAsTheWholeImage()
    {
        // What VisionPreprocessor relies on when ffmpeg delivers only the part of a frame the resize and crop read.
        var random = new Random(17);
        var filters = new[] { ResampleFilter.Bilinear, ResampleFilter.Bicubic, ResampleFilter.Lanczos, ResampleFilter.Box, ResampleFilter.Hamming };
        for (int trial = 0; trial < 200; trial++)
        {
            int sourceWidth = random.Next(1, 90), sourceHeight = random.Next(1, 90);
            int width = random.Next(1, 120), height = random.Next(1, 120);
            if (random.Next(4) == 0)
            {
                width = sourceWidth;   // one axis kept: the single-pass paths
            }
            else if (random.Next(4) == 0)
            {
                height = sourceHeight;
            }

            int windowWidth = random.Next(1, width + 1), windowHeight = random.Next(1, height + 1);
            int left = random.Next(0, width - windowWidth + 1), top = random.Next(0, height - windowHeight + 1);
            ResampleFilter filter = filters[random.Next(filters.Length)];
            RgbImage image = RandomImage(random, sourceWidth, sourceHeight);

            FrameWindow source = PillowResampler.SourceWindow(sourceWidth, sourceHeight, width, height, filter, left, top, windowWidth, windowHeight);
            var expected = new byte[windowWidth * windowHeight * 3];
            PillowResampler.ResizeWindowInto(image, width, height, filter, left, top, windowWidth, windowHeight, expected);
            var actual = new byte[expected.Length];
            PillowResampler.ResizeWindowInto(Cut(image, source), source, sourceWidth, sourceHeight, width, height, filter, left, top, windowWidth, windowHeight, actual);
            string what = $"{filter} {sourceWidth}×{sourceHeight} → {width}×{height}, window {windowWidth}×{windowHeight} at ({left}, {top}), source {source}";
            CollectionAssert.AreEqual(expected, actual, what);

            if (source.Width > 1)
            {
                // One column short of what the resize reads is refused, not read out of bounds.
                var narrower = source with { Left = source.Left + 1, Width = source.Width - 1 };
                var error = Assert.ThrowsExactly<ArgumentException>(() => PillowResampler.ResizeWindowInto(
                    Cut(image, narrower), narrower, sourceWidth, sourceHeight, width, height, filter, left, top, windowWidth, windowHeight, actual), what);
                StringAssert.Contains(error.Message, "does not hold every pixel");
            }
        }
    }

    [TestMethod]
    public void TheSourceWindowOfACentreCropOfA1080pFrameIsABand()
    {
        // VideoMAE's 224 shortest edge + 224 centre crop (bilinear) on 1920×1080: 398×224, columns 87…310 kept.
        FrameWindow source = PillowResampler.SourceWindow(1920, 1080, 398, 224, ResampleFilter.Bilinear, 87, 0, 224, 224);
        Assert.AreEqual((0, 1080), (source.Top, source.Height), "every row is read");
        Assert.IsTrue(source.Left > 400 && source.Width < 1100, $"about the middle 57% of the columns: {source}");
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

    private static RgbImage RandomImage(Random random, int width, int height)
    {
        var pixels = new byte[width * height * 3];
        random.NextBytes(pixels);
        return new RgbImage(width, height, pixels);
    }

    /// <summary>The pixels of <paramref name="window"/> of <paramref name="image"/>, as ffmpeg's crop delivers them.</summary>
    private static RgbImage Cut(RgbImage image, FrameWindow window)
    {
        var pixels = new byte[window.Width * window.Height * 3];
        for (int y = 0; y < window.Height; y++)
        {
            image.Pixels.AsSpan((((window.Top + y) * image.Width) + window.Left) * 3, window.Width * 3).CopyTo(pixels.AsSpan(y * window.Width * 3));
        }

        return new RgbImage(window.Width, window.Height, pixels);
    }

    [TestMethod]
    public void NearestIsRejectedWithAHint()
    {
        var image = new RgbImage(2, 2, new byte[12]);

        var ex = Assert.ThrowsExactly<NotSupportedException>(() => PillowResampler.Resize(image, 3, 3, ResampleFilter.Nearest));

        StringAssert.Contains(ex.Message, "BILINEAR");
    }
}
