using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tests.Fakes;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Clip.Tests;

/// <summary>
/// MLImage columns (Microsoft.ML.Clip.ImageAnalytics, found without any registration call) give the same outputs as the
/// image and frame files they were loaded from, on the tiny fixture models with a 32-pixel processor.
/// </summary>
[TestClass]
public sealed class MLImageInputTests
{
    // Opaque images: RGB, grayscale, odd sizes and aspect ratios (resize, centre crop and padding paths all differ).
    private static readonly string[] OpaqueImages = ["rgb_240x320.png", "rgb_97x61.png", "gray_200x150.png", "rgb_1000x50.png", "rgb_224x224.png"];

    private static readonly string[] FrameFiles = ["processors/videos/testsrc_frames/frame_003.png", "processors/videos/testsrc_frames/frame_021.png", "processors/videos/testsrc_frames/frame_046.png"];

    [TestMethod]
    public void LoadImagesThenImageEmbeddingEqualsTheEmbeddingOfThePaths()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(OpaqueImages.Select(f => new PathRow { Path = ImagePath(f) }));
        var options = new AltClipImageFeaturizerEstimator.Options
        {
            OutputColumnName = "E", ModelPath = ProcessorModelFolders.AltClip, ModelLoader = new FixtureModelLoader(), BatchSize = 2,
        };

        options.InputColumnName = "Path";
        float[][] fromPaths = ml.Transforms.AltClipImageEmbedding(options).Fit(data).Transform(data).GetColumn<float[]>("E").ToArray();

        options.InputColumnName = "Image";
        var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "Path").Append(ml.Transforms.AltClipImageEmbedding(options));
        float[][] fromImages = pipeline.Fit(data).Transform(data).GetColumn<float[]>("E").ToArray();

        Assert.HasCount(OpaqueImages.Length, fromImages);
        for (int i = 0; i < OpaqueImages.Length; i++)
        {
            CollectionAssert.AreEqual(fromPaths[i], fromImages[i], $"{OpaqueImages[i]}: the MLImage embedding differs from the path's");
        }

        // Rows differ, so equality above is not the same vector everywhere.
        CollectionAssert.AreNotEqual(fromPaths[0], fromPaths[1]);
    }

    [TestMethod]
    public void AltClipZeroShotOnMLImagesEqualsZeroShotOnPaths()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(OpaqueImages.Select(f => new PathRow { Path = ImagePath(f) }));
        string[] labels = ["t0", "t1"]; // FixtureTokenizer: "t{i}" is row i of the fixture's token ids
        ZeroShotClassifierEstimator ZeroShot(string input) => ml.Transforms.ZeroShotClassification(new ZeroShotClassifierEstimator.Options
        {
            Family = ClipModelFamily.AltClip, ModelPath = ProcessorModelFolders.AltClip, ModelLoader = new FixtureModelLoader(),
            Labels = labels, Templates = ["{}"], InputColumnName = input, BatchSize = 3,
        });

        float[][] fromPaths = ZeroShot("Path").Fit(data).Transform(data).GetColumn<float[]>("Score").ToArray();
        var pipeline = ml.Transforms.LoadImages("Image", null, "Path").Append(ZeroShot("Image"));
        float[][] fromImages = pipeline.Fit(data).Transform(data).GetColumn<float[]>("Score").ToArray();

        for (int i = 0; i < OpaqueImages.Length; i++)
        {
            CollectionAssert.AreEqual(fromPaths[i], fromImages[i], OpaqueImages[i]);
            Assert.IsFalse(fromImages[i].Any(float.IsNaN));
        }
    }

    [TestMethod]
    public void VideoOfMLImageFramesEqualsTheVideoOfTheFramePaths()
    {
        var ml = new MLContext(seed: 1);
        string[] paths = FrameFiles.Select(TestFixtures.Path).ToArray();
        string[] reversed = paths.Reverse().ToArray();
        IDataView pathRows = ml.Data.LoadFromEnumerable(new[] { new FramesRow { Frames = paths }, new FramesRow { Frames = reversed } });
        using MLImageFrames forward = new(paths), backward = new(reversed);
        IDataView imageRows = ml.Data.LoadFromEnumerable(new[] { new ImageFramesRow { Frames = forward.Images }, new ImageFramesRow { Frames = backward.Images } });
        Assert.IsInstanceOfType<ImageFramesDataViewType>(imageRows.Schema["Frames"].Type);

        XClipVideoFeaturizerEstimator Embedding() => ml.Transforms.XClipVideoEmbedding(new XClipVideoFeaturizerEstimator.Options
        {
            OutputColumnName = "E", InputColumnName = "Frames", ModelPath = ProcessorModelFolders.XClip, ModelLoader = new FixtureModelLoader(),
        });

        float[][] fromPaths = Embedding().Fit(pathRows).Transform(pathRows).GetColumn<float[]>("E").ToArray();
        float[][] fromImages = Embedding().Fit(imageRows).Transform(imageRows).GetColumn<float[]>("E").ToArray();

        CollectionAssert.AreEqual(fromPaths[0], fromImages[0]);
        CollectionAssert.AreEqual(fromPaths[1], fromImages[1]);
        CollectionAssert.AreNotEqual(fromImages[0], fromImages[1], "frame order matters to X-CLIP");

        ZeroShotClassifierEstimator ZeroShot() => ml.Transforms.ZeroShotClassification(new ZeroShotClassifierEstimator.Options
        {
            Family = ClipModelFamily.XClip, ModelPath = ProcessorModelFolders.XClip, ModelLoader = new FixtureModelLoader(),
            Labels = ["t0", "t1"], Templates = ["{}"], InputColumnName = "Frames",
        });
        float[][] scoresFromPaths = ZeroShot().Fit(pathRows).Transform(pathRows).GetColumn<float[]>("Score").ToArray();
        float[][] scoresFromImages = ZeroShot().Fit(imageRows).Transform(imageRows).GetColumn<float[]>("Score").ToArray();
        CollectionAssert.AreEqual(scoresFromPaths[0], scoresFromImages[0]);
        CollectionAssert.AreEqual(scoresFromPaths[1], scoresFromImages[1]);
    }

    [TestMethod]
    public void WrongFrameCountIsAnErrorNamingTheCounts()
    {
        var ml = new MLContext(seed: 1);
        using MLImageFrames two = new(FrameFiles.Take(2).Select(TestFixtures.Path).ToArray());
        IDataView rows = ml.Data.LoadFromEnumerable(new[] { new ImageFramesRow { Frames = two.Images } });
        var estimator = ml.Transforms.XClipVideoEmbedding(new XClipVideoFeaturizerEstimator.Options
        {
            OutputColumnName = "E", InputColumnName = "Frames", ModelPath = ProcessorModelFolders.XClip, ModelLoader = new FixtureModelLoader(),
        });

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(rows).Transform(rows).GetColumn<float[]>("E").ToArray());
        StringAssert.Contains(error.Message, "<2 frame images>");
        StringAssert.Contains(error.InnerException!.Message, "preprocessor takes 3 frames");
    }

    [TestMethod]
    public void AlphaImageUnpremultipliesWithinTheDocumentedBound()
    {
        // MLImage stores premultiplied colours; the file decodes (as Pillow's convert("RGB")) to the stored colours.
        string path = ImagePath("rgba_180x120.png");
        RgbImage fromFile = new VideoDecoder().ReadImage(path);
        using MLImage image = MLImage.CreateFromFile(path);
        RgbImage fromImage = PremultipliedPixels.ToRgb(image);
        ReadOnlySpan<byte> bgra = image.Pixels;

        int opaque = 0, transparent = 0, partial = 0;
        for (int p = 0; p < fromFile.Width * fromFile.Height; p++)
        {
            int alpha = bgra[(p * 4) + 3];
            for (int c = 0; c < 3; c++)
            {
                int expected = fromFile.Pixels[(p * 3) + c], actual = fromImage.Pixels[(p * 3) + c];
                if (alpha == 255)
                {
                    Assert.AreEqual(expected, actual, $"opaque pixel {p}");
                }
                else if (alpha == 0)
                {
                    Assert.AreEqual(0, actual, $"transparent pixel {p}");
                }
                else
                {
                    int bound = (255 + (2 * alpha) - 1) / (2 * alpha); // ⌈255 / (2a)⌉
                    Assert.IsLessThanOrEqualTo(bound, Math.Abs(expected - actual), $"pixel {p}, alpha {alpha}: {actual} vs the file's {expected}");
                }
            }

            _ = alpha == 255 ? opaque++ : alpha == 0 ? transparent++ : partial++;
        }

        Assert.IsGreaterThan(0, opaque);
        Assert.IsGreaterThan(0, transparent);
        Assert.IsGreaterThan(1000, partial);
    }

    [TestMethod]
    public void UnpremultiplyInvertsSkiasPremultiplicationExactlyWhereTheDataAllows()
    {
        for (int alpha = 1; alpha <= 255; alpha++)
        {
            int bound = (255 + (2 * alpha) - 1) / (2 * alpha);
            for (int colour = 0; colour <= 255; colour++)
            {
                int premultiplied = ((colour * alpha) + 127) / 255; // round(c·a/255), half up (what MLImage holds)
                int back = PremultipliedPixels.Unpremultiply(premultiplied, alpha);
                Assert.AreEqual(premultiplied, ((back * alpha) + 127) / 255, $"c={colour} a={alpha}: {back} does not premultiply back");
                Assert.IsLessThanOrEqualTo(bound, Math.Abs(back - colour), $"c={colour} a={alpha}");
                if (alpha == 255)
                {
                    Assert.AreEqual(colour, back);
                }
            }
        }
    }

    [TestMethod]
    public void MismatchMessageListsMLImageColumns()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new NumberRow { Video = 1 } });
        var estimator = ml.Transforms.AltClipImageEmbedding(new AltClipImageFeaturizerEstimator.Options
        {
            OutputColumnName = "E", InputColumnName = "Video", ModelPath = "fake", ModelLoader = new FakeModelLoader(),
        });

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(error.Message, "or Image (MLImage), got Single");
    }

    private static string ImagePath(string name) => TestFixtures.Path("processors/images/" + name);

    public sealed class PathRow
    {
        public string Path { get; set; } = string.Empty;
    }

    public sealed class ImageFramesRow
    {
        [ImageFramesType]
        public IReadOnlyList<MLImage> Frames { get; set; } = [];
    }

    /// <summary>Frame images loaded with MLImage (Skia), disposed with the test.</summary>
    private sealed class MLImageFrames(string[] paths) : IDisposable
    {
        public MLImage[] Images { get; } = paths.Select(MLImage.CreateFromFile).ToArray();

        public void Dispose()
        {
            foreach (MLImage image in Images)
            {
                image.Dispose();
            }
        }
    }
}
