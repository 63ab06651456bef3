using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>Decoding (videos through ffmpeg, images through Skia): frame-exact output, probing, rotation, odd sizes, gray/alpha images.</summary>
[TestClass]
public sealed class VideoDecoderTests
{
    private static readonly VideoDecoder Decoder = new();

    [TestMethod]
    public void ProbeReadsSizeFrameCountAndRate()
    {
        VideoInfo info = Decoder.Probe(VisionFixtures.TestsrcVideo);

        Assert.AreEqual(320, info.Width);
        Assert.AreEqual(240, info.Height);
        Assert.AreEqual(50, info.FrameCount);
        Assert.AreEqual("nb_frames", info.FrameCountSource);
        Assert.AreEqual(25.0, info.FramesPerSecond, 1e-9);
        Assert.AreEqual(2.0, info.DurationSeconds, 1e-6);
        Assert.AreEqual("h264", info.CodecName);
        Assert.IsFalse(info.IsImage);
    }

    [TestMethod]
    public void ProbeOfAPngIsAOneFrameImage()
    {
        VideoInfo info = Decoder.Probe(VisionFixtures.Image("rgb_97x61"));

        Assert.IsTrue(info.IsImage);
        Assert.AreEqual(1, info.FrameCount);
        Assert.AreEqual((97, 61), (info.Width, info.Height));
    }

    [TestMethod]
    public void SelectedFramesEqualTheReferenceFramesByteForByte()
    {
        RgbImage[] frames = Decoder.ReadFrames(VisionFixtures.TestsrcVideo, VisionFixtures.TestsrcIndices);

        AssertEqualToReferenceFrames(frames, VisionFixtures.TestsrcIndices);
    }

    [TestMethod]
    public void SeekingDecodesTheSameFramesAsSelecting()
    {
        var seeking = new VideoDecoder { AlwaysSeek = true };

        RgbImage[] frames = seeking.ReadFrames(VisionFixtures.TestsrcVideo, VisionFixtures.TestsrcIndices);

        AssertEqualToReferenceFrames(frames, VisionFixtures.TestsrcIndices);
    }

    [TestMethod]
    public void WhereTheContainerCannotSeekFramesAreDecodedSequentially()
    {
        using var temp = new TempMedia();
        string ts = temp.Ffmpeg("testsrc.ts", "-i", VisionFixtures.TestsrcVideo, "-c", "copy", "-f", "mpegts");

        RgbImage[] frames = new VideoDecoder { AlwaysSeek = true }.ReadFrames(ts, VisionFixtures.TestsrcIndices);

        AssertEqualToReferenceFrames(frames, VisionFixtures.TestsrcIndices);
    }

    [TestMethod]
    public void LongVideoIsReadBySeekingAndGivesTheSameFrames()
    {
        using var temp = new TempMedia();
        string video = temp.Ffmpeg("long.mp4", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=25", "-t", "160",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p");
        VideoInfo info = Decoder.Probe(video);
        int[] indices = FrameSampler.UniformSegments(info.FrameCount, 8);
        var selecting = new VideoDecoder { SeekThreshold = int.MaxValue };
        var starts = 0;
        void OnStarted(int id, string file)
        {
            if (file == video)
            {
                Interlocked.Increment(ref starts);
            }
        }

        FfmpegProcess.Started += OnStarted;
        RgbImage[] sought;
        try
        {
            sought = Decoder.ReadFrames(video, indices);
        }
        finally
        {
            FfmpegProcess.Started -= OnStarted;
        }

        RgbImage[] selected = selecting.ReadFramesAsync(info, indices).GetAwaiter().GetResult();

        Assert.AreEqual(4000, info.FrameCount);
        Assert.AreEqual(8, starts, "no ffprobe (an H.264 MP4 is probed in-process), then one seeking ffmpeg per frame");
        for (int i = 0; i < indices.Length; i++)
        {
            CollectionAssert.AreEqual(selected[i].Pixels, sought[i].Pixels, $"frame {indices[i]}");
        }
    }

    [TestMethod]
    public void IndicesMayRepeatAndComeInAnyOrder()
    {
        int[] indices = [46, 3, 3, 28, 46];

        RgbImage[] frames = Decoder.ReadFrames(VisionFixtures.TestsrcVideo, indices);

        AssertEqualToReferenceFrames(frames, indices);
        Assert.AreSame(frames[1], frames[2], "a repeated index decodes once");
    }

    [TestMethod]
    public void StreamingDeliversEachDistinctFrameOnce()
    {
        VideoInfo info = Decoder.Probe(VisionFixtures.TestsrcVideo);
        var seen = new Dictionary<int, RgbImage>();

        Decoder.ForEachFrameAsync(info, [46, 3, 3, 28], (index, frame) => seen.Add(index, frame.Clone())).GetAwaiter().GetResult();

        CollectionAssert.AreEquivalent(new[] { 3, 28, 46 }, seen.Keys.ToArray());
        AssertEqualToReferenceFrames([seen[3], seen[28], seen[46]], [3, 28, 46]);
    }

    [TestMethod]
    public void StreamingCallsNeverOverlapAndTheirFrameStaysIntactWhileTheNextIsRead()
    {
        VideoInfo info = Decoder.Probe(VisionFixtures.TestsrcVideo);
        int[] indices = VisionFixtures.TestsrcIndices;
        var copies = new Dictionary<int, RgbImage>();
        int inCall = 0, overlaps = 0;

        Decoder.ForEachFrameAsync(info, indices, (index, frame) =>
        {
            if (Interlocked.Increment(ref inCall) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            byte[] before = frame.Pixels.ToArray();
            Thread.Sleep(30);   // the next frame arrives in the meantime: it must not land in this frame's buffer
            CollectionAssert.AreEqual(before, frame.Pixels, $"frame {index} changed during its call");
            copies.Add(index, frame.Clone());
            Interlocked.Decrement(ref inCall);
        }).GetAwaiter().GetResult();

        Assert.AreEqual(0, overlaps, "calls overlapped");
        AssertEqualToReferenceFrames(indices.Select(i => copies[i]).ToArray(), indices);
    }

    [TestMethod]
    public void FirstFramesWithoutSelectFilter()
    {
        RgbImage[] all = Decoder.ReadFrames(VisionFixtures.TestsrcVideo, [0, 1, 2, 3]);

        AssertEqualToReferenceFrames(all[3..], [3]);
        CollectionAssert.AreNotEqual(all[0].Pixels, all[3].Pixels, "testsrc frames differ over time");
    }

    [TestMethod]
    public void GrayImageIsReplicatedToThreeEqualChannels()
    {
        RgbImage image = Decoder.ReadImage(VisionFixtures.Image("gray_200x150"));

        Assert.AreEqual((200, 150), (image.Width, image.Height));
        byte[] gray = RawFfmpeg(VisionFixtures.Image("gray_200x150"), "gray");
        for (int i = 0; i < gray.Length; i++)
        {
            Assert.AreEqual(gray[i], image.Pixels[3 * i]);
            Assert.AreEqual(gray[i], image.Pixels[(3 * i) + 1]);
            Assert.AreEqual(gray[i], image.Pixels[(3 * i) + 2]);
        }
    }

    [TestMethod]
    public void RgbaImageKeepsStoredColourUnderTransparentPixels()
    {
        RgbImage image = Decoder.ReadImage(VisionFixtures.Image("rgba_180x120"));

        byte[] rgba = RawFfmpeg(VisionFixtures.Image("rgba_180x120"), "rgba");
        Assert.AreEqual(0, rgba[3], "fixture: the top-left pixel is fully transparent");
        Assert.IsTrue(rgba[0] + rgba[1] + rgba[2] > 0, "fixture: a colour is stored under it");
        for (int i = 0; i < 180 * 120; i++)
        {
            Assert.AreEqual(rgba[4 * i], image.Pixels[3 * i]);
            Assert.AreEqual(rgba[(4 * i) + 1], image.Pixels[(3 * i) + 1]);
            Assert.AreEqual(rgba[(4 * i) + 2], image.Pixels[(3 * i) + 2]);
        }
    }

    [TestMethod]
    public void RotatedPhoneVideoIsDecodedAsStoredByDefaultAsPyAvDoes()
    {
        using var temp = new TempMedia();
        string rotated = temp.Ffmpeg("rotated.mp4", "-i", VisionFixtures.TestsrcVideo, "-c", "copy", "-metadata:s:v:0", "rotate=90");

        VideoInfo info = Decoder.Probe(rotated);
        RgbImage frame = Decoder.ReadFrames(rotated, [9])[0];

        Assert.AreEqual(90, Math.Abs(info.Rotation));
        Assert.AreEqual((320, 240), (info.Width, info.Height));
        CollectionAssert.AreEqual(Decoder.ReadFrames(VisionFixtures.TestsrcVideo, [9])[0].Pixels, frame.Pixels);
    }

    [TestMethod]
    public void RotatedPhoneVideoIsDecodedUprightWhenAsked()
    {
        using var temp = new TempMedia();
        string rotated = temp.Ffmpeg("rotated.mp4", "-i", VisionFixtures.TestsrcVideo, "-c", "copy", "-metadata:s:v:0", "rotate=90");
        var upright = new VideoDecoder { ApplyDisplayRotation = true };

        VideoInfo info = upright.Probe(rotated);
        RgbImage frame = upright.ReadFrames(rotated, [9])[0];

        Assert.AreEqual(90, Math.Abs(info.Rotation));
        Assert.AreEqual((240, 320), (info.Width, info.Height));
        Assert.AreEqual((240, 320), (frame.Width, frame.Height));
        RgbImage expected = Decoder.ReadImage(VisionFixtures.TestsrcFrame(9));
        // ffprobe's rotation 90 means "rotate 90° counter-clockwise to display": output (x, y) = source (W − 1 − y, x).
        for (int y = 0; y < frame.Height; y += 7)
        {
            for (int x = 0; x < frame.Width; x += 5)
            {
                for (int c = 0; c < 3; c++)
                {
                    Assert.AreEqual(expected[expected.Width - 1 - y, x, c], frame[x, y, c], $"pixel ({x}, {y}) channel {c}");
                }
            }
        }
    }

    [TestMethod]
    public void OddSizedVideoDecodes()
    {
        using var temp = new TempMedia();
        string odd = temp.Ffmpeg("odd.mp4", "-f", "lavfi", "-i", "testsrc=size=97x61:rate=10", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv444p");

        RgbImage[] frames = Decoder.ReadFrames(odd, [0, 9]);

        Assert.AreEqual((97, 61), (frames[1].Width, frames[1].Height));
        CollectionAssert.AreEqual(RawFfmpeg(odd, "rgb24", frames: 10)[^(97 * 61 * 3)..], frames[1].Pixels);
    }

    [TestMethod]
    public void ContainerWithoutFrameCountIsCountedByPackets()
    {
        using var temp = new TempMedia();
        string ts = temp.Ffmpeg("testsrc.ts", "-i", VisionFixtures.TestsrcVideo, "-c", "copy", "-f", "mpegts");

        VideoInfo info = Decoder.Probe(ts);
        RgbImage[] frames = Decoder.ReadFrames(ts, VisionFixtures.TestsrcIndices);

        Assert.AreEqual(50, info.FrameCount);
        Assert.AreEqual("packets", info.FrameCountSource);
        AssertEqualToReferenceFrames(frames, VisionFixtures.TestsrcIndices);
    }

    [TestMethod]
    public void VeryLongVideoWithoutFrameCountIsEstimatedFromItsDuration()
    {
        using var temp = new TempMedia();
        string ts = temp.Ffmpeg("testsrc.ts", "-i", VisionFixtures.TestsrcVideo, "-c", "copy", "-f", "mpegts");

        VideoInfo info = new VideoDecoder { CountingLimit = 10 }.Probe(ts);

        Assert.AreEqual("duration", info.FrameCountSource);
        Assert.AreEqual(50, info.FrameCount);
    }

    [TestMethod]
    public void CallerDecodedBuffersAreAccepted()
    {
        byte[] rgb = RawFfmpeg(VisionFixtures.TestsrcFrame(3), "rgb24");
        var frame = new RgbImage(320, 240, rgb);

        var processor = new VideoMaeImageProcessor();
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new RgbImage(320, 240, new byte[10]));

        CollectionAssert.AreEqual(new[] { 1, 1, 3, 224, 224 }, processor.Preprocess([frame]).Shape.ToArray());
        StringAssert.Contains(ex.Message, "230400");
    }

    private static void AssertEqualToReferenceFrames(RgbImage[] frames, int[] indices)
    {
        Assert.AreEqual(indices.Length, frames.Length);
        for (int i = 0; i < indices.Length; i++)
        {
            byte[] expected = RawFfmpeg(VisionFixtures.TestsrcFrame(indices[i]), "rgb24");
            Assert.AreEqual((320, 240), (frames[i].Width, frames[i].Height));
            CollectionAssert.AreEqual(expected, frames[i].Pixels, $"frame {indices[i]} (position {i})");
        }
    }

    /// <summary>The raw bytes ffmpeg itself decodes (for lossless PNG fixtures: the stored pixels).</summary>
    internal static byte[] RawFfmpeg(string path, string pixelFormat, int frames = 1)
    {
        var info = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-nostdin", "-v", "error", "-i", path, "-frames:v", frames.ToString(), "-f", "rawvideo", "-pix_fmt", pixelFormat, "-" })
        {
            info.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        using var bytes = new MemoryStream();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(bytes);
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, stderr.Result);
        return bytes.ToArray();
    }
}
