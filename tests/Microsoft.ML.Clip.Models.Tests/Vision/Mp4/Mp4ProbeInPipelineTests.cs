using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision.Mp4;

/// <summary>
/// The in-process probe in the decoding path: an H.264 MP4 is decoded by one ffmpeg run and no ffprobe, to the same
/// frames as with ffprobe; <see cref="VideoDecoder.InProcessProbe"/> = false brings ffprobe back.
/// </summary>
[TestClass]
public sealed class Mp4ProbeInPipelineTests
{
    [TestMethod]
    [DataRow(true, new[] { "ffmpeg" }, DisplayName = "in-process probe: ffmpeg only")]
    [DataRow(false, new[] { "ffmpeg", "ffprobe" }, DisplayName = "ffprobe forced: ffmpeg prestarted, then ffprobe")]
    public void AnH264Mp4IsDecodedWithOrWithoutFfprobeToTheSameFrames(bool inProcess, string[] children)
    {
        using var temp = new TempMedia();
        string video = temp.File("own-copy.mp4");   // only this test's children open this path (tests run in parallel)
        File.Copy(VisionFixtures.TestsrcVideo, video);
        var decoder = new VideoDecoder { InProcessProbe = inProcess };
        var programs = new List<string>();
        void OnStarted(int id, string file)
        {
            if (file == video)
            {
                lock (programs)
                {
                    programs.Add(NameOf(id));
                }
            }
        }

        int[] indices = [3, 28, 46];
        FfmpegProcess.Started += OnStarted;
        RgbImage[] frames;
        try
        {
            frames = decoder.ReadFrames(video, indices);
        }
        finally
        {
            FfmpegProcess.Started -= OnStarted;
        }

        var ffprobe = new VideoDecoder { InProcessProbe = false };
        RgbImage[] expected = ffprobe.ReadFramesAsync(ffprobe.Probe(video), indices).GetAwaiter().GetResult();
        CollectionAssert.AreEqual(children, programs);
        for (int i = 0; i < indices.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i].Pixels, frames[i].Pixels, $"frame {indices[i]}");
        }
    }

    private static string NameOf(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.ProcessName;
        }
        catch (ArgumentException)
        {
            return "(exited)";
        }
    }
}
