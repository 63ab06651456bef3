using System.Globalization;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>
/// Converting only the YUV around the wanted window (<see cref="ConversionWindow"/>) gives the pixels the whole frame's
/// conversion gives: decoded both ways through ffmpeg, byte for byte, for every format the cut is used on.
/// </summary>
[TestClass]
public sealed class ConversionWindowTests
{
    private static readonly string[] Formats =
    [
        "yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv440p", "nv12", "nv21", "yuv420p10le", "yuv422p10le", "yuv444p10le", "yuv420p12le", "yuv422p12le", "yuv444p12le",
    ];

    [TestMethod]
    public void Yuv411IsConvertedWhole()
    {
        // swscale converts 4:1:1 differently depending on the frame's width: a cut gave other pixels than the whole frame.
        Assert.IsFalse(ConversionWindow.Supports("yuv411p"));
        Assert.IsNull(ConversionWindow.For("yuv411p", 642, 362, new FrameWindow(135, 0, 372, 362)));
    }

    [TestMethod]
    public void TheCutIsAlignedHoldsTheWindowWithItsMarginAndIsNullWhenNotNeeded()
    {
        var window = new FrameWindow(417, 3, 1086, 1077);
        FrameWindow cut = ConversionWindow.For("yuv420p", 1920, 1080, window)!.Value;

        Assert.AreEqual(new FrameWindow(400, 0, 1120, 1080), cut);
        Assert.IsTrue(cut.Contains(window));
        Assert.AreEqual(new FrameWindow(17, 3, 1086, 1077), ConversionWindow.Within(cut, window));
        Assert.IsNull(ConversionWindow.For("rgb24", 1920, 1080, window), "RGB frames have no chroma to cut around");
        Assert.IsNull(ConversionWindow.For("yuv420p", 1920, 1080, new FrameWindow(10, 0, 1900, 1080)), "the cut would be the whole frame");
        FrameWindow corner = ConversionWindow.For("yuv420p", 645, 363, new FrameWindow(600, 330, 45, 33))!.Value;
        Assert.AreEqual(new FrameWindow(576, 304, 69, 59), corner, "ends at the frame's edge, not past it");
    }

    [TestMethod]
    public void EveryListedFormatGivesTheWholeFramesPixelsInLandscapePortraitAndOddSizes()
    {
        using var temp = new TempMedia();
        (int Width, int Height, FrameWindow Window)[] cases =
        [
            (642, 362, new FrameWindow(135, 0, 372, 362)),  // landscape: centre columns (odd left edge)
            (362, 642, new FrameWindow(0, 135, 362, 372)),  // portrait: centre rows
            (645, 363, new FrameWindow(37, 29, 201, 151)),  // odd frame, odd window on both axes
            (854, 480, new FrameWindow(183, 0, 488, 480)),  // 480p: the cut ends at the frame's edge, 854 − 160 wide
            (1280, 720, new FrameWindow(275, 0, 730, 720)), // 720p
        ];
        var failures = new List<string>();
        foreach (string format in Formats)
        {
            Assert.IsTrue(ConversionWindow.Supports(format), format);

            // Every size for the formats videos come in; a landscape and an odd one for the rest (each run starts ffmpeg).
            bool common = format is "yuv420p" or "yuvj420p" or "nv12";
            foreach ((int width, int height, FrameWindow window) in common ? cases : [cases[0], cases[2]])
            {
                // Raw frames keep every format but the full-range yuvj* ones, which motion JPEG stores natively.
                bool jpeg = format.StartsWith("yuvj", StringComparison.Ordinal);
                string video = temp.Ffmpeg(
                    $"{format}-{width}x{height}.{(jpeg ? "avi" : "nut")}",
                    "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=10", "-frames:v", "3", "-c:v", jpeg ? "mjpeg" : "rawvideo", "-pix_fmt", format);
                VideoInfo info = new VideoDecoder().Probe(video) with { Window = window };
                Assert.AreEqual(format, info.PixelFormat, "the test video has the format under test");
                StringAssert.Contains(FfmpegFrameDecoder.FilterGraph(info, null, convertAroundWindow: true), ",crop=", $"{format} {width}×{height}: cut before the conversion");

                byte[][] cut = Decode(new VideoDecoder(), info);
                byte[][] whole = Decode(new VideoDecoder { ConvertWindowOnly = false }, info);
                for (int frame = 0; frame < whole.Length; frame++)
                {
                    if (!cut[frame].AsSpan().SequenceEqual(whole[frame]))
                    {
                        failures.Add(string.Create(CultureInfo.InvariantCulture, $"{format} {width}×{height} frame {frame}"));
                    }
                }
            }
        }

        Assert.AreEqual(0, failures.Count, "pixels differ: " + string.Join("; ", failures));
    }

    private static byte[][] Decode(VideoDecoder decoder, VideoInfo info)
    {
        var frames = new byte[info.FrameCount][];
        decoder.ForEachFrameAsync(info, [0, 1, 2], (index, frame) => frames[index] = frame.Pixels.ToArray()).GetAwaiter().GetResult();
        return frames;
    }
}
