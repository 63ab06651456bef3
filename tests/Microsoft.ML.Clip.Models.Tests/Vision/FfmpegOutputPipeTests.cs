using System.Diagnostics;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>The pipe ffmpeg writes raw frames into: its enlarged buffer, and how a decode ends once the frames are read.</summary>
[TestClass]
public sealed class FfmpegOutputPipeTests
{
    [TestMethod]
    public void TheChildsStdoutPipeIsEnlargedToOneMebibyteOnLinux()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", "5") { RedirectStandardOutput = true, UseShellExecute = false })!;
        try
        {
            int size = PipeCapacity.TryEnlarge(child.StandardOutput.BaseStream, 3 * 1024 * 1024);

            Assert.AreEqual(OperatingSystem.IsLinux() ? PipeCapacity.PreferredBytes : 0, size);
            Assert.AreEqual(0, PipeCapacity.TryEnlarge(new MemoryStream(), 3 * 1024 * 1024), "not a pipe: left alone");
            Assert.AreEqual(0, PipeCapacity.TryEnlarge(child.StandardOutput.BaseStream, 4096), "frames that fit the default buffer need no more");
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
    }

    [TestMethod]
    public void AWrapperThatDoesNotExecFfmpegStillDecodesAndLeavesNothingRunning()
    {
        // The configured "ffmpeg" is a shell script running the real one as its child. Once the frames are read the
        // library kills its own child (the shell) only; the real ffmpeg must end too (EPIPE on the closed pipe, or its
        // own end of stream) and the call must return, with the same frames as the real ffmpeg gives.
        using var temp = new TempMedia();
        string pidFile = temp.File("ffmpeg.pid");
        string wrapper = temp.File("ffmpeg");
        File.WriteAllText(wrapper, $"#!/bin/sh\n{FfmpegTools.Default.FfmpegPath} \"$@\" <&0 &\necho $! > '{pidFile}'\nwait\n");
        TempMedia.Run("chmod", "+x", wrapper);
        var wrapped = new VideoDecoder(new FfmpegTools(wrapper, FfmpegTools.Default.FfprobePath));
        VideoInfo info = wrapped.Probe(VisionFixtures.TestsrcVideo);
        int[] indices = [3, 17, 30];

        var frames = new Dictionary<int, byte[]>();
        var watch = Stopwatch.StartNew();
        wrapped.ForEachFrameAsync(info, indices, (index, frame) => frames[index] = frame.Pixels.ToArray()).GetAwaiter().GetResult();
        Assert.IsTrue(watch.Elapsed < TimeSpan.FromSeconds(60), $"the decode returned only after {watch.Elapsed}");

        RgbImage[] expected = new VideoDecoder().ReadFrames(VisionFixtures.TestsrcVideo, indices);
        for (int i = 0; i < indices.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i].Pixels.ToArray(), frames[indices[i]], $"frame {indices[i]}");
        }

        int grandchild = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var wait = Stopwatch.StartNew();
        while (IsAlive(grandchild) && wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(50);
        }

        Assert.IsFalse(IsAlive(grandchild), $"the wrapper's ffmpeg (pid {grandchild}) was left running");
    }

    /// <summary>True while <paramref name="pid"/> runs (a zombie waiting for init to reap it has ended).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
