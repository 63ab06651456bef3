using System.Diagnostics;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>
/// The ffmpeg run started while ffprobe probes the file (<see cref="PrestartedSelectRun"/>): it starts before the probe,
/// gives the frames the run started after the probe gives, stops after the last wanted frame, and leaves no child
/// behind when it is not used.
/// </summary>
[TestClass]
public sealed class PrestartedSelectRunTests
{
    // The fixture is an H.264 MP4, which the default decoder probes in-process (no ffprobe, no prestarted run).
    private static readonly VideoDecoder Decoder = new() { InProcessProbe = false };

    [TestMethod]
    [DataRow(new[] { 3, 28, 46 }, DisplayName = "select filter")]
    [DataRow(new[] { 0, 1, 2, 3, 4 }, DisplayName = "frames from the start: trim only")]
    [DataRow(new[] { 49 }, DisplayName = "the last frame")]
    public void FfmpegStartsBeforeTheProbeAndGivesTheFramesOfTheRunAfterIt(int[] indices)
    {
        using var temp = new TempMedia();
        string video = temp.File("own-copy.mp4");   // only this test's children open this path (tests run in parallel)
        File.Copy(VisionFixtures.TestsrcVideo, video);
        var programs = new List<string>();
        void OnStarted(int id, string file)
        {
            if (file == video)
            {
                lock (programs)
                {
                    programs.Add(ProgramOf(id));
                }
            }
        }

        FfmpegProcess.Started += OnStarted;
        RgbImage[] prestarted;
        try
        {
            prestarted = Decoder.ReadFrames(video, indices);
        }
        finally
        {
            FfmpegProcess.Started -= OnStarted;
        }

        RgbImage[] afterProbe = Decoder.ReadFramesAsync(Decoder.Probe(video), indices).GetAwaiter().GetResult();

        CollectionAssert.AreEqual(new[] { "ffmpeg", "ffprobe" }, programs, "ffmpeg first, then the probe; no other child");
        for (int i = 0; i < indices.Length; i++)
        {
            CollectionAssert.AreEqual(afterProbe[i].Pixels, prestarted[i].Pixels, $"frame {indices[i]}");
        }
    }

    [TestMethod]
    public async Task DecodingStopsAfterTheLastWantedFrameOfAnEndlessInput()
    {
        // A FIFO fed with raw 320×240 frames for as long as someone reads it: ffmpeg must stop after frame 5 by itself.
        using var temp = new TempMedia();
        string fifo = temp.File("endless.y4m");
        TempMedia.Run("mkfifo", fifo);
        const int Width = 320, Height = 240;
        int written = 0;
        Task writer = Task.Factory.StartNew(() =>
        {
            using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            stream.Write("YUV4MPEG2 W320 H240 F25:1 Ip A1:1 C420jpeg\n"u8);
            var frame = new byte[Width * Height * 3 / 2];
            try
            {
                for (int n = 0; n < 100_000; n++)
                {
                    Array.Fill(frame, (byte)(16 + (n * 20 % 220)));
                    stream.Write("FRAME\n"u8);
                    stream.Write(frame);
                    written = n + 1;
                }
            }
            catch (IOException)
            {
                // ffmpeg closed the FIFO: it stopped reading.
            }
        }, TaskCreationOptions.LongRunning);
        var info = new VideoInfo
        {
            Path = fifo, Width = Width, Height = Height, FrameCount = 100_000, FrameCountSource = "test", FramesPerSecond = 25, PixelFormat = "yuvj420p",
        };

        var frames = new Dictionary<int, byte>();
        await using (PrestartedSelectRun run = await PrestartedSelectRun.StartAsync(Decoder, fifo, CancellationToken.None))
        {
            await run.DecodeAsync(info, [2, 5], (index, frame) => frames.Add(index, frame.Pixels[0]), reuseBuffer: false, CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(60));
        }

        await writer.WaitAsync(TimeSpan.FromSeconds(60));
        CollectionAssert.AreEquivalent(new[] { 2, 5 }, frames.Keys.ToArray());
        Assert.IsTrue(frames[5] > frames[2], $"frame 5 (grey {frames[5]}) is lighter than frame 2 (grey {frames[2]})");
        Assert.IsTrue(written < 6 + 20, $"{written} frames were written before ffmpeg stopped reading (pipe and read buffers hold a few)");
    }

    [TestMethod]
    public void AnFfmpegThatRefusesTheFilterFromStdinStillGivesTheFrames()
    {
        // A wrapper that behaves like an ffmpeg without the option (as ffmpeg 9 without -filter_script): the run started
        // before the probe fails before any frame, and the run started after the probe gives the frames.
        using var temp = new TempMedia();
        string video = temp.File("own-copy.mp4");
        File.Copy(VisionFixtures.TestsrcVideo, video);
        string wrapper = temp.File("ffmpeg");
        string realFfmpeg = FfmpegTools.Default.FfmpegPath;
        File.WriteAllText(wrapper, "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in -filter_script*|-/filter*) echo \"Unrecognized option '$a'.\" >&2; exit 8;; esac; done\n"
            + $"exec {realFfmpeg} \"$@\"\n");
        TempMedia.Run("chmod", "+x", wrapper);
        var decoder = new VideoDecoder(new FfmpegTools(wrapper, FfmpegTools.Default.FfprobePath)) { InProcessProbe = false };
        int starts = 0;
        void OnStarted(int id, string file)
        {
            if (file == video)
            {
                Interlocked.Increment(ref starts);
            }
        }

        FfmpegProcess.Started += OnStarted;
        RgbImage[] frames;
        try
        {
            frames = decoder.ReadFrames(video, [3, 28, 46]);
        }
        finally
        {
            FfmpegProcess.Started -= OnStarted;
        }

        RgbImage[] expected = Decoder.ReadFramesAsync(Decoder.Probe(video), [3, 28, 46]).GetAwaiter().GetResult();
        Assert.AreEqual(3, starts, "the refused run, the probe, and the run after the probe");
        for (int i = 0; i < frames.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i].Pixels, frames[i].Pixels, $"frame {i}");
        }
    }

    [TestMethod]
    public async Task AnUnusedRunLeavesNoChildBehind()
    {
        int pid = 0;
        using var temp = new TempMedia();
        string video = temp.File("own-copy.mp4");
        File.Copy(VisionFixtures.TestsrcVideo, video);
        void OnStarted(int id, string file)
        {
            if (file == video)
            {
                pid = id;
            }
        }

        FfmpegProcess.Started += OnStarted;
        try
        {
            PrestartedSelectRun run = await PrestartedSelectRun.StartAsync(Decoder, video, CancellationToken.None);
            await Task.Delay(300);   // ffmpeg has opened the file and waits for its filter graph
            await run.DisposeAsync();
        }
        finally
        {
            FfmpegProcess.Started -= OnStarted;
        }

        Assert.AreNotEqual(0, pid);
        Assert.IsTrue(IsGone(pid), $"ffmpeg (pid {pid}) must be killed and reaped");
    }

    [TestMethod]
    public void FramesThatMayBeSoughtStartNoRunBeforeTheProbe()
    {
        var seeking = new VideoDecoder { AlwaysSeek = true };
        var dense = new VideoDecoder();

        Assert.IsTrue(FramePlan.MaySeek(seeking, [3]));
        Assert.IsTrue(FramePlan.MaySeek(dense, [100, 5000]), "sparse frames beyond the threshold");
        Assert.IsFalse(FramePlan.MaySeek(dense, [18, 56, 281]), "within the threshold");
        Assert.IsFalse(FramePlan.MaySeek(dense, null), "not known before the probe");
    }

    private static string ProgramOf(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            return process.ProcessName;
        }
        catch (ArgumentException)
        {
            return "(exited)";
        }
    }

    private static bool IsGone(int pid)
    {
        try
        {
            using Process p = Process.GetProcessById(pid);
            return p.HasExited || !p.ProcessName.Contains("ff", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
