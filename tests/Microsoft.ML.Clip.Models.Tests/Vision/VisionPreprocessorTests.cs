using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>The one-call API: model folder + files → the exact pixel_values.</summary>
[TestClass]
public sealed class VisionPreprocessorTests
{
    [TestMethod]
    public void XClipFolderAndVideoGiveTheReferencePixelValues()
    {
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));

        Tensor actual = preprocessor.Process([VisionFixtures.TestsrcVideo]);

        Assert.IsTrue(preprocessor.IsVideo);
        Assert.AreEqual(8, preprocessor.NumFrames, "no config.json: X-CLIP's default of 8 frames");
        using var expected = VisionFixtures.Expected("xclip_testsrc_8frames");
        TensorAssert.Close(expected.LoadFloat32("pixel_values"), actual, 0f, "pixel_values");
    }

    [TestMethod]
    public void TheDecoderOptionDecidesOrientationAndRotation()
    {
        using var temp = new TempMedia();
        string rotated = temp.Ffmpeg("rotated.mp4", "-i", VisionFixtures.TestsrcVideo, "-c", "copy", "-metadata:s:v:0", "rotate=90");
        var upright = new VideoDecoder { ApplyDisplayRotation = true, ApplyExifOrientation = false };

        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("altclip"), new() { Decoder = upright });
        var asStored = VisionPreprocessor.FromPretrained(VisionFixtures.Config("altclip"));

        Assert.AreSame(upright, preprocessor.Decoder);
        Assert.IsTrue(asStored.Decoder.ApplyExifOrientation);
        Assert.IsFalse(asStored.Decoder.ApplyDisplayRotation);
        RgbImage turned = preprocessor.ReadClipsAsync(rotated).GetAwaiter().GetResult()[0][0];
        RgbImage stored = asStored.ReadClipsAsync(rotated).GetAwaiter().GetResult()[0][0];
        Assert.AreEqual((240, 320), (turned.Width, turned.Height));
        Assert.AreEqual((320, 240), (stored.Width, stored.Height));
    }

    [TestMethod]
    public void ImagesAreTheFramesOfOneVideo()
    {
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"), new() { NumFrames = 5 });

        Tensor actual = preprocessor.Process(VisionFixtures.RgbImageNames.Select(VisionFixtures.Image).ToArray());

        using var expected = VisionFixtures.Expected("xclip_rgb_images_as_frames");
        TensorAssert.Close(expected.LoadFloat32("pixel_values"), actual, 0f, "pixel_values");
    }

    [TestMethod]
    public void WrongNumberOfImagesNamesBothCounts()
    {
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));

        var ex = Assert.ThrowsExactly<ArgumentException>(() => preprocessor.Process(VisionFixtures.RgbImageNames.Select(VisionFixtures.Image).ToArray()));

        StringAssert.Contains(ex.Message, "5 images");
        StringAssert.Contains(ex.Message, "8 frames");
    }

    [TestMethod]
    public void NumFramesComesFromConfigJsonAndAMismatchIsAnError()
    {
        using var temp = new TempMedia();
        File.Copy(Path.Combine(VisionFixtures.Config("xclip-base-patch32"), "preprocessor_config.json"), temp.File("preprocessor_config.json"));
        File.Copy(TestFixtures.Path("models/xclip-tiny/config.json"), temp.File("config.json"));

        var preprocessor = VisionPreprocessor.FromPretrained(temp.Folder);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => VisionPreprocessor.FromPretrained(temp.Folder, new() { NumFrames = 8 }));
        Tensor pixelValues = preprocessor.Process([VisionFixtures.TestsrcVideo]);

        Assert.AreEqual(3, preprocessor.NumFrames);
        CollectionAssert.AreEqual(new[] { 1, 3, 3, 224, 224 }, pixelValues.Shape.ToArray());
        StringAssert.Contains(ex.Message, "num_frames = 3");
        StringAssert.Contains(ex.Message, "8 frame(s)");
    }

    [TestMethod]
    public void ClipsOfOneVideoAreConsecutiveItems()
    {
        var preprocessor = VisionPreprocessor.FromPretrained(
            VisionFixtures.Config("xclip-base-patch32"), new() { NumFrames = 4, Sampling = FrameSampling.Parse("clips:2") });
        var single = new VideoMaeImageProcessor(preprocessor.Config);
        RgbImage[] frames = new VideoDecoder().ReadFrames(VisionFixtures.TestsrcVideo, [3, 9, 15, 21, 28, 34, 40, 46]);

        Tensor actual = preprocessor.Process([VisionFixtures.TestsrcVideo]);

        // 50 frames, 2 clips of 4: parts [0, 25) and [25, 50) → 3, 9, 15, 21 and 28, 34, 40, 46.
        CollectionAssert.AreEqual(new[] { 2, 4, 3, 224, 224 }, actual.Shape.ToArray());
        TensorAssert.Close(single.Preprocess(frames[..4]).Reshape(4, 3, 224, 224), actual.Slice(0), 0f, "clip 0");
        TensorAssert.Close(single.Preprocess(frames[4..]).Reshape(4, 3, 224, 224), actual.Slice(1), 0f, "clip 1");
    }

    [TestMethod]
    public void AVideoShorterThanTheFrameCountRepeatsFrames()
    {
        using var temp = new TempMedia();
        string shortVideo = temp.Ffmpeg("five.mp4", "-i", VisionFixtures.TestsrcVideo, "-frames:v", "5", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));

        Tensor actual = preprocessor.Process([shortVideo]);

        // Uniform segments of 5 frames for 8 samples: 0, 0, 1, 2, 2, 3, 4, 4.
        Tensor frames = actual.Reshape(8, 3 * 224 * 224);
        CollectionAssert.AreEqual(frames.Slice(0).ToArray(), frames.Slice(1).ToArray());
        CollectionAssert.AreEqual(frames.Slice(3).ToArray(), frames.Slice(4).ToArray());
        CollectionAssert.AreEqual(frames.Slice(6).ToArray(), frames.Slice(7).ToArray());
        CollectionAssert.AreNotEqual(frames.Slice(1).ToArray(), frames.Slice(2).ToArray());
    }

    [TestMethod]
    public void AltClipFolderAndImagesGiveTheReferencePixelValues()
    {
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("altclip"));

        Tensor actual = preprocessor.Process(VisionFixtures.AllImageNames.Select(VisionFixtures.Image).ToArray());

        Assert.IsFalse(preprocessor.IsVideo);
        CollectionAssert.AreEqual(new[] { 7, 3, 224, 224 }, actual.Shape.ToArray());
        using var expected = VisionFixtures.Expected("altclip_images");
        for (int i = 0; i < VisionFixtures.AllImageNames.Length; i++)
        {
            string name = VisionFixtures.AllImageNames[i];
            TensorAssert.Close(expected.LoadFloat32(name).Reshape(3, 224, 224), actual.Slice(i), 0f, name);
        }
    }

    [TestMethod]
    public void AnImageModelTakesTheMiddleFrameOfAVideo()
    {
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("altclip"));
        RgbImage middle = new VideoDecoder().ReadFrames(VisionFixtures.TestsrcVideo, [25])[0];

        Tensor actual = preprocessor.Process([VisionFixtures.TestsrcVideo]);

        TensorAssert.Close(new ClipImageProcessor(preprocessor.Config).Preprocess(middle), actual, 0f, "middle frame");
    }

    [TestMethod]
    public void GrayAndRgbaFramesWorkForXClipToo()
    {
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"), new() { NumFrames = 2 });

        Tensor actual = preprocessor.Process([VisionFixtures.Image("gray_200x150"), VisionFixtures.Image("rgba_180x120")]);

        CollectionAssert.AreEqual(new[] { 1, 2, 3, 224, 224 }, actual.Shape.ToArray());
        Tensor frame0 = actual.Reshape(2, 3, 224 * 224).Slice(0);
        CollectionAssert.AreNotEqual(frame0.Slice(0).ToArray(), frame0.Slice(1).ToArray(),
            "gray is replicated, but ImageNet mean/std differ per channel");
    }
}
