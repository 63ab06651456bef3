using System.Globalization;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tests.Vision.PythonParity;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.Vision.Mp4;

namespace Microsoft.ML.Clip.Tests.Vision.Mp4;

/// <summary>
/// The in-process MP4/H.264 probe (<see cref="Mp4Probe"/>) against ffprobe: for every video of the pixel corpus, the
/// fixtures and a set of ffmpeg-made files, it either gives ffprobe's <see cref="VideoInfo"/> field by field or returns
/// null (ffprobe then probes); the H.264 MP4/MOV files must take the fast path.
/// </summary>
[TestClass]
public sealed class Mp4ProbeParityTests
{
    private static readonly VideoDecoder Ffprobe = new() { InProcessProbe = false };
    private static readonly VideoDecoder FfprobeRotating = new() { InProcessProbe = false, ApplyDisplayRotation = true };

    [TestMethod]
    public void CorpusVideosProbeAsFfprobeDoes()
    {
        PythonCorpus corpus = PythonCorpus.Instance;
        string[] files = corpus.Videos.Select(corpus.File).ToArray();
        string[] fast = AssertSameAsFfprobe(files);
        string[] h264Mp4 = files.Where(f => Path.GetFileName(f).StartsWith("h264_", StringComparison.Ordinal) && f.EndsWith(".mp4", StringComparison.Ordinal))
            .Append(corpus.File(corpus.Videos.Single(v => v.Name == "rotated90.mp4")))
            .ToArray();
        Assert.IsTrue(h264Mp4.Length >= 8, $"the corpus has {h264Mp4.Length} H.264 MP4 files");
        CollectionAssert.IsSubsetOf(h264Mp4, fast, "every H.264 MP4 of the corpus takes the fast path; fast: " + string.Join(", ", fast.Select(Path.GetFileName)));
        Assert.IsFalse(fast.Any(f => f.EndsWith(".mkv", StringComparison.Ordinal) || f.EndsWith(".avi", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("hevc", StringComparison.Ordinal)),
            "only H.264 in MP4/MOV takes the fast path");
    }

    [TestMethod]
    public void FixtureVideosProbeAsFfprobeDoes()
    {
        string[] extensions = [".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v", ".gif"];
        string[] files = Directory.EnumerateFiles(TestFixtures.Directory, "*", SearchOption.AllDirectories)
            .Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .ToArray();
        Assert.IsTrue(files.Length > 0, "the fixtures hold videos");
        string[] fast = AssertSameAsFfprobe(files);
        CollectionAssert.Contains(fast, TestFixtures.Path("processors/videos/testsrc.mp4"));
    }

    [TestMethod]
    public void GeneratedVideosProbeAsFfprobeDoes()
    {
        using var media = new TempMedia();
        string[] src = ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-frames:v", "30"];
        var expectFast = new List<string>
        {
            media.Ffmpeg("hd1080.mp4", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-frames:v", "20", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
            media.Ffmpeg("faststart.mp4", [.. src, "-c:v", "libx264", "-movflags", "+faststart"]),
            media.Ffmpeg("quicktime.mov", [.. src, "-c:v", "libx264", "-pix_fmt", "yuvj422p"]),
            media.Ffmpeg("no_bframes.mp4", [.. src, "-c:v", "libx264", "-bf", "0", "-r", "30000/1001"]),
            media.Ffmpeg("ntsc.mp4", ["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=30000/1001", "-frames:v", "31", "-c:v", "libx264"]),
            media.Ffmpeg("crop_odd.mp4", ["-f", "lavfi", "-i", "testsrc2=size=101x57:rate=24", "-frames:v", "9", "-c:v", "libx264", "-pix_fmt", "yuv444p"]),
            media.Ffmpeg("scaling_lists.mp4", [.. src, "-c:v", "libx264", "-x264-params", "cqm=jvt"]),
            media.Ffmpeg("full444_10.mp4", [.. src, "-c:v", "libx264", "-pix_fmt", "yuv444p10le", "-color_range", "pc"]),
        };
        string plain = expectFast[1];
        expectFast.Add(media.Ffmpeg("rotate270.mp4", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=270"));
        expectFast.Add(media.Ffmpeg("rotate180.mov", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=180"));
        expectFast.Add(media.Ffmpeg("rotate90.mp4", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90"));
        string[] others =
        [
            // Stream copies cut between key frames: edit lists that start inside the media and end before it does.
            media.Ffmpeg("cut_copy.mp4", "-ss", "0.3", "-i", plain, "-t", "0.5", "-c", "copy"),
            media.Ffmpeg("cut_end_copy.mp4", "-i", plain, "-t", "0.7", "-c", "copy"),
            media.Ffmpeg("fragmented.mp4", [.. src, "-c:v", "libx264", "-movflags", "frag_keyframe+empty_moov"]),
            media.Ffmpeg("gray.mp4", [.. src, "-c:v", "libx264", "-pix_fmt", "gray"]),
            media.Ffmpeg("mpeg4.mp4", [.. src, "-c:v", "mpeg4"]),
            media.Ffmpeg("h264.mkv", [.. src, "-c:v", "libx264"]),
            media.Ffmpeg("with_audio.mp4", "-f", "lavfi", "-i", "sine=duration=1", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-c:v", "libx264", "-t", "1"),
        ];
        string[] fast = AssertSameAsFfprobe([.. expectFast, .. others]);
        Console.WriteLine("in-process: " + string.Join(", ", fast.Select(Path.GetFileName)));
        CollectionAssert.IsSubsetOf(expectFast, fast, "fast: " + string.Join(", ", fast.Select(Path.GetFileName)));
        CollectionAssert.DoesNotContain(fast, others[2], "a fragmented MP4 goes to ffprobe");
        CollectionAssert.DoesNotContain(fast, others[4], "MPEG-4 Part 2 goes to ffprobe");
        CollectionAssert.DoesNotContain(fast, others[5], "Matroska goes to ffprobe");
    }

    /// <summary>Asserts the fast probe equals ffprobe (or is null) for each file, with and without rotation; returns the files it probed.</summary>
    private static string[] AssertSameAsFfprobe(IEnumerable<string> files)
    {
        var fast = new List<string>();
        var differences = new List<string>();
        foreach (string file in files)
        {
            foreach (VideoDecoder reference in new[] { Ffprobe, FfprobeRotating })
            {
                var source = new VideoInfo { Path = file, Width = 0, Height = 0, FrameCount = 0, FrameCountSource = "" };
                if (Mp4Probe.TryProbe(reference, source) is not VideoInfo ours)
                {
                    continue;
                }

                string expected = Describe(reference.Probe(file));
                string actual = Describe(ours);
                if (expected != actual)
                {
                    differences.Add($"{Path.GetFileName(file)} (rotation applied: {reference.ApplyDisplayRotation}):\n  ffprobe   {expected}\n  in-process {actual}");
                }

                if (!reference.ApplyDisplayRotation)
                {
                    fast.Add(file);
                }
            }
        }

        Assert.AreEqual(0, differences.Count, string.Join("\n", differences));
        return fast.ToArray();
    }

    private static string Describe(VideoInfo i) => string.Create(CultureInfo.InvariantCulture,
        $"{i.Width}x{i.Height} frames={i.FrameCount} ({i.FrameCountSource}) fps={i.FramesPerSecond:R} duration={i.DurationSeconds:R} " +
        $"rotation={i.Rotation} codec={i.CodecName} pix_fmt={i.PixelFormat} format={i.ContainerFormat} image={i.IsImage} exif={i.ExifOrientation}");
}
