using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>Files decoded concurrently give exactly what decoding them one at a time gives; failures name the file.</summary>
[TestClass]
public sealed class ConcurrentDecodingTests
{
    [TestMethod]
    public void ProcessEachEqualsProcessingEachInputAlone()
    {
        var concurrent = VisionPreprocessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"), new() { NumFrames = 5 });
        var oneAtATime = new VisionPreprocessor(concurrent.Config, concurrent.NumFrames) { MaxConcurrentFiles = 1 };
        IReadOnlyList<string>[] inputs =
        [
            [VisionFixtures.TestsrcVideo],
            [VisionFixtures.Image("rgb_320x240")],
            VisionFixtures.RgbImageNames.Select(VisionFixtures.Image).ToArray(),   // the frames of one video
            [VisionFixtures.TestsrcVideo, VisionFixtures.TestsrcVideo],
        ];

        Tensor[] together = new VisionPreprocessor(concurrent.Config, concurrent.NumFrames) { MaxConcurrentFiles = 4 }.ProcessEach(inputs);

        Assert.HasCount(inputs.Length, together);
        for (int i = 0; i < inputs.Length; i++)
        {
            TensorAssert.Close(oneAtATime.Process(inputs[i]), together[i], 0f, $"input {i}");
        }

        using var expected = VisionFixtures.Expected("xclip_rgb_images_as_frames");
        TensorAssert.Close(expected.LoadFloat32("pixel_values"), together[2], 0f, "frame images processed among other inputs");
    }

    [TestMethod]
    public void ConcurrentVideosGiveTheReferencePixelValues()
    {
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));
        Assert.IsTrue(preprocessor.MaxConcurrentFiles >= 2, "several files decode at once by default");

        Tensor actual = preprocessor.Process([VisionFixtures.TestsrcVideo, VisionFixtures.TestsrcVideo, VisionFixtures.TestsrcVideo]);

        using var expected = VisionFixtures.Expected("xclip_testsrc_8frames");
        Tensor reference = expected.LoadFloat32("pixel_values");
        Assert.AreEqual(3, actual.Dim(0));
        for (int v = 0; v < 3; v++)
        {
            var video = new Tensor(actual.Span.Slice(v * reference.Length, reference.Length).ToArray(), [.. reference.Shape]);
            TensorAssert.Close(reference, video, 0f, $"video {v}");
        }
    }

    [TestMethod]
    public void OneDecodingThreadGivesTheSameFrames()
    {
        RgbImage[] auto = new VideoDecoder().ReadFrames(VisionFixtures.TestsrcVideo, VisionFixtures.TestsrcIndices);
        RgbImage[] single = new VideoDecoder { Threads = 1 }.ReadFrames(VisionFixtures.TestsrcVideo, VisionFixtures.TestsrcIndices);

        for (int i = 0; i < auto.Length; i++)
        {
            CollectionAssert.AreEqual(auto[i].Pixels, single[i].Pixels, $"frame {VisionFixtures.TestsrcIndices[i]}");
        }
    }

    [TestMethod]
    public void ConcurrentSeeksGiveTheSameFramesOneCallAtATime()
    {
        VideoInfo info = new VideoDecoder().Probe(VisionFixtures.TestsrcVideo);
        int[] indices = VisionFixtures.TestsrcIndices;
        RgbImage[] selected = new VideoDecoder { SeekThreshold = int.MaxValue }.ReadFramesAsync(info, indices).GetAwaiter().GetResult();
        var seeking = new VideoDecoder { AlwaysSeek = true, MaxConcurrentSeeks = 4 };
        var copies = new Dictionary<int, byte[]>();
        int inCall = 0, overlaps = 0;

        seeking.ForEachFrameAsync(info, indices, (index, frame) =>
        {
            if (Interlocked.Increment(ref inCall) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            Thread.Sleep(150);   // long enough for the other seeks' frames to arrive meanwhile
            copies.Add(index, frame.Pixels.ToArray());
            Interlocked.Decrement(ref inCall);
        }).GetAwaiter().GetResult();

        Assert.AreEqual(0, overlaps, "calls from concurrent seeks overlapped");
        for (int i = 0; i < indices.Length; i++)
        {
            CollectionAssert.AreEqual(selected[i].Pixels, copies[indices[i]], $"frame {indices[i]}");
        }
    }

    [TestMethod]
    public void NegativeSettingsAreRefused()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new VideoDecoder { Threads = -1 });
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new VideoDecoder { MaxConcurrentSeeks = 0 });
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new VisionPreprocessor(preprocessor.Config, 8) { MaxConcurrentFiles = 0 });
    }

    [TestMethod]
    public void ABadFileAmongGoodOnesIsNamed()
    {
        using var temp = new TempMedia();
        string bad = temp.File("not-a-video.mp4");
        File.WriteAllText(bad, "plain text\n" + new string('x', 4000));
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));

        var ex = Assert.ThrowsExactly<VideoDecodingException>(() =>
            preprocessor.ProcessEach([[VisionFixtures.TestsrcVideo], [bad], [VisionFixtures.TestsrcVideo]]));

        Assert.AreEqual(bad, ex.FilePath);
    }

    [TestMethod]
    public void AnInputWithoutFilesIsNamed()
    {
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));

        var ex = Assert.ThrowsExactly<ArgumentException>(() => preprocessor.ProcessEach([[VisionFixtures.TestsrcVideo], []]));

        StringAssert.Contains(ex.Message, "Input 1");
    }
}
