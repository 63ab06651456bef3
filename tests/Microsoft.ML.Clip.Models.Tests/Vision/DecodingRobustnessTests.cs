using System.Diagnostics;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>Bad inputs fail with messages naming the file; ffmpeg children never outlive a call.</summary>
[TestClass]
public sealed class DecodingRobustnessTests
{
    private static readonly VideoDecoder Decoder = new();

    [TestMethod]
    public void MissingFileNamesTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), "no-such-video-" + Guid.NewGuid().ToString("N") + ".mp4");

        var ex = Assert.ThrowsExactly<FileNotFoundException>(() => Decoder.Probe(path));

        StringAssert.Contains(ex.Message, path);
    }

    [TestMethod]
    public void NonVideoFileNamesTheFile()
    {
        using var temp = new TempMedia();
        string path = temp.File("notes.mp4");
        File.WriteAllText(path, "this is a text file, not a video\n" + new string('x', 5000));

        var ex = Assert.ThrowsExactly<VideoDecodingException>(() => Decoder.ReadFrames(path, [0]));

        StringAssert.Contains(ex.Message, path);
        Assert.AreEqual(path, ex.FilePath);
    }

    [TestMethod]
    public void ZeroLengthFileNamesTheFile()
    {
        using var temp = new TempMedia();
        string path = temp.File("empty.mp4");
        File.WriteAllBytes(path, []);

        var ex = Assert.ThrowsExactly<VideoDecodingException>(() => Decoder.Probe(path));

        StringAssert.Contains(ex.Message, path);
    }

    [TestMethod]
    public void TruncatedMp4WithoutIndexFailsClearly()
    {
        using var temp = new TempMedia();
        string path = temp.File("truncated.mp4");
        byte[] whole = File.ReadAllBytes(VisionFixtures.TestsrcVideo);
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);   // the moov index is at the end: it is cut off

        var ex = Assert.ThrowsExactly<VideoDecodingException>(() => Decoder.ReadFrames(path, [0]));

        StringAssert.Contains(ex.Message, path);
    }

    [TestMethod]
    public void TruncatedStreamStillGivesItsFramesThroughThePreprocessor()
    {
        using var temp = new TempMedia();
        string ts = temp.Ffmpeg("whole.ts", "-i", VisionFixtures.TestsrcVideo, "-c", "copy", "-f", "mpegts");
        string path = temp.File("truncated.ts");
        byte[] whole = File.ReadAllBytes(ts);
        File.WriteAllBytes(path, whole[..(whole.Length * 6 / 10 / 188 * 188)]);
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));

        VideoInfo info = Decoder.Probe(path);
        var pixelValues = preprocessor.Process([path]);

        Assert.IsTrue(info.FrameCount is > 8 and < 50, $"counted {info.FrameCount} frames in the truncated stream");
        CollectionAssert.AreEqual(new[] { 1, 8, 3, 224, 224 }, pixelValues.Shape.ToArray());
    }

    [TestMethod]
    public void HeaderPromisingMoreFramesThanTheFileHoldsIsRecountedByDecoding()
    {
        using var temp = new TempMedia();
        string faststart = temp.Ffmpeg("faststart.mp4", "-i", VisionFixtures.TestsrcVideo, "-c", "copy", "-movflags", "+faststart");
        string path = temp.File("cut.mp4");
        byte[] whole = File.ReadAllBytes(faststart);
        File.WriteAllBytes(path, whole[..(whole.Length * 6 / 10)]);   // index intact (50 frames), data cut
        var preprocessor = VisionPreprocessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));

        VideoInfo info = Decoder.Probe(path);
        var direct = Assert.ThrowsExactly<VideoDecodingException>(() => Decoder.ReadFrames(path, [46]));
        int decodable = Decoder.CountFramesByDecodingAsync(path).GetAwaiter().GetResult();
        var pixelValues = preprocessor.Process([path]);
        RgbImage[] expectedFrames = Decoder.ReadFrames(path, FrameSampler.UniformSegments(decodable, 8));

        Assert.AreEqual(50, info.FrameCount, "the index still claims 50 frames");
        StringAssert.Contains(direct.Message, path);
        StringAssert.Contains(direct.Message, "fewer decodable frames");
        Assert.IsTrue(decodable is > 8 and < 50, $"{decodable} frames decode");
        Microsoft.ML.Clip.Testing.TensorAssert.Close(new VideoMaeImageProcessor(preprocessor.Config).Preprocess(expectedFrames), pixelValues, 0f,
            "sampled from the frames that really decode");
    }

    [TestMethod]
    public void FrameBeyondTheEndNamesTheFileAndTheCount()
    {
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Decoder.ReadFrames(VisionFixtures.TestsrcVideo, [3, 50]));

        StringAssert.Contains(ex.Message, "testsrc.mp4");
        StringAssert.Contains(ex.Message, "50 frame(s)");
    }

    [TestMethod]
    public void MissingFfmpegSaysHowToInstallIt()
    {
        // ffprobe forced: the fixture is an H.264 MP4, which the default decoder probes in-process.
        var decoder = new VideoDecoder(new FfmpegTools("/nonexistent/bin/ffmpeg")) { InProcessProbe = false };

        var ex = Assert.ThrowsExactly<FfmpegNotFoundException>(() => decoder.Probe(VisionFixtures.TestsrcVideo));

        Assert.AreEqual("/nonexistent/bin/ffprobe", ex.Program);
        StringAssert.Contains(ex.Message, "apt-get install ffmpeg");
        StringAssert.Contains(ex.Message, "brew install ffmpeg");
        StringAssert.Contains(ex.Message, "winget");
    }

    [TestMethod]
    public void MissingFfmpegForDecodingSaysHowToInstallIt()
    {
        VideoInfo info = Decoder.Probe(VisionFixtures.TestsrcVideo);
        var decoder = new VideoDecoder(new FfmpegTools("/nonexistent/ffmpeg", "ffprobe"));

        var ex = Assert.ThrowsExactly<FfmpegNotFoundException>(() => decoder.ReadFramesAsync(info, [0]).GetAwaiter().GetResult());

        StringAssert.Contains(ex.Message, "/nonexistent/ffmpeg");
        StringAssert.Contains(ex.Message, "apt-get install ffmpeg");
    }

    [TestMethod]
    public async Task CancellationKillsTheFfmpegChild()
    {
        using var temp = new TempMedia();
        string fifo = temp.File("never-written.fifo");
        TempMedia.Run("mkfifo", fifo);   // ffmpeg blocks opening it: a decode that never ends by itself
        var info = new VideoInfo { Path = fifo, Width = 320, Height = 240, FrameCount = 1000, FrameCountSource = "test", FramesPerSecond = 25 };
        int pid = 0;
        var started = new TaskCompletionSource();
        void OnStarted(int id, string file)
        {
            if (file == fifo)
            {
                pid = id;
                started.TrySetResult();
            }
        }

        FfmpegProcess.Started += OnStarted;
        try
        {
            using var cts = new CancellationTokenSource();
            Task<RgbImage[]> decoding = Decoder.ReadFramesAsync(info, [5], cts.Token);
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(200);
            Assert.IsFalse(decoding.IsCompleted, "the decode is blocked on the FIFO");

            cts.Cancel();

            await Assert.ThrowsAsync<OperationCanceledException>(() => decoding);
            Assert.IsTrue(IsGone(pid), $"ffmpeg (pid {pid}) must be killed and reaped");
        }
        finally
        {
            FfmpegProcess.Started -= OnStarted;
        }
    }

    [TestMethod]
    public async Task AlreadyCancelledTokenStartsNothing()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAsync<OperationCanceledException>(() => Decoder.ProbeAsync(VisionFixtures.TestsrcVideo, cts.Token));
    }

    [TestMethod]
    public void StoppingEarlyLeavesNoChildBehind()
    {
        var pids = new List<int>();
        using var temp = new TempMedia();
        string video = temp.File("own-copy.mp4");   // only this test's children open this path (tests run in parallel)
        File.Copy(VisionFixtures.TestsrcVideo, video);
        void OnStarted(int id, string file)
        {
            if (file == video)
            {
                lock (pids)
                {
                    pids.Add(id);
                }
            }
        }

        FfmpegProcess.Started += OnStarted;
        try
        {
            Decoder.ReadFrames(video, [0, 1]);
        }
        finally
        {
            FfmpegProcess.Started -= OnStarted;
        }

        Assert.IsTrue(pids.Count >= 1);
        foreach (int pid in pids)
        {
            Assert.IsTrue(IsGone(pid), $"child {pid} is still there");
        }
    }

    private static bool IsGone(int pid)
    {
        try
        {
            using Process p = Process.GetProcessById(pid);
            // Still known: only acceptable if it has exited (then it was reaped by us; the id may be reused by another program).
            return p.HasExited || !p.ProcessName.Contains("ff", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return true;   // no such process: killed and reaped
        }
    }
}
