using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>
/// Hundreds or thousands of wanted frames (multi-clip sampling of long videos): the select filter's expression stays
/// within ffmpeg's limits, and when it cannot, every frame is piped and the unwanted ones dropped — same frames.
/// </summary>
[TestClass]
public sealed class ManyFramesDecodingTests
{
    [TestMethod]
    public void HundredsOfScatteredFramesAreTheSameAsReadingEveryFrame()
    {
        using var temp = new TempMedia();
        string video = temp.Ffmpeg("short.mp4", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=25", "-t", "12",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");
        var decoder = new VideoDecoder();
        VideoInfo info = decoder.Probe(video);
        RgbImage[] every = decoder.ReadFramesAsync(info, Enumerable.Range(0, info.FrameCount).ToArray()).GetAwaiter().GetResult();
        int[] wanted = Enumerable.Range(0, info.FrameCount).Where(i => i % 3 != 1).ToArray();   // 200 frames in 100 runs

        RgbImage[] frames = decoder.ReadFramesAsync(info, wanted).GetAwaiter().GetResult();

        Assert.AreEqual(300, info.FrameCount);
        AssertSameFrames(every, wanted, frames);
    }

    [TestMethod]
    public void TooManyScatteredFramesForOneExpressionAreStillExact()
    {
        using var temp = new TempMedia();
        string video = temp.Ffmpeg("long.mp4", "-f", "lavfi", "-i", "testsrc=size=16x16:rate=100", "-t", "200",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");
        var decoder = new VideoDecoder { SeekThreshold = int.MaxValue };
        VideoInfo info = decoder.Probe(video);
        int[] wanted = Enumerable.Range(0, info.FrameCount / 2).Select(i => 2 * i).ToArray();   // 10 000 single frames
        Assert.IsNull(FrameSelectExpression.For(wanted), "the case this test is about");
        RgbImage[] every = decoder.ReadFramesAsync(info, Enumerable.Range(0, info.FrameCount).ToArray()).GetAwaiter().GetResult();

        RgbImage[] frames = decoder.ReadFramesAsync(info, wanted).GetAwaiter().GetResult();

        AssertSameFrames(every, wanted, frames);
    }

    private static void AssertSameFrames(RgbImage[] every, int[] wanted, RgbImage[] frames)
    {
        Assert.HasCount(wanted.Length, frames);
        for (int i = 0; i < wanted.Length; i++)
        {
            CollectionAssert.AreEqual(every[wanted[i]].Pixels, frames[i].Pixels, $"frame {wanted[i]}");
        }

        CollectionAssert.AreNotEqual(every[0].Pixels, every[^1].Pixels, "the frames differ from each other (testsrc moves)");
    }
}
