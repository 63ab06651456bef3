using System.Diagnostics;
using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Clip.Tests.Modeling;
using Microsoft.ML.Clip.Tests.Vision;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Tests.Tasks;

/// <summary>A cancellation token stops the embedders while they decode (the long part), and before any work when already cancelled.</summary>
[TestClass]
public sealed class EmbedderCancellationTests
{
    private static readonly ModelFixture XClip = new("xclip-tiny");
    private static readonly ModelFixture AltClip = new("altclip-tiny");

    [TestMethod]
    public void CancellingStopsAnXClipEmbeddingWhoseFfmpegNeverAnswers()
    {
        using var temp = new TempMedia();
        VisionPreprocessor preprocessor = HangingPreprocessor(temp, numFrames: 3);
        using var embedder = new XClipEmbedder(XClipModel.FromPretrained(XClip.Folder), new FixtureTokenizer(XClip.Inputs), preprocessor, ownsModel: true);
        VideoInput[] videos = [VideoInput.FromFile(VisionFixtures.TestsrcVideo)];

        AssertCancelledWhileDecoding(token => embedder.EmbedVideos(videos, token));
        AssertCancelledWhileDecoding(token => embedder.ScoreLogits(videos, [["t0"], ["t1"]], token));
    }

    [TestMethod]
    public void CancellingStopsAnAltClipEmbeddingWhoseFfmpegNeverAnswers()
    {
        using var temp = new TempMedia();
        VisionPreprocessor preprocessor = HangingPreprocessor(temp, numFrames: 1);
        using var embedder = new AltClipEmbedder(AltClipModel.FromPretrained(AltClip.Folder), new FixtureTokenizer(AltClip.Inputs), preprocessor, ownsModel: true);
        ImageInput[] videos = [ImageInput.FromFile(VisionFixtures.TestsrcVideo)];

        AssertCancelledWhileDecoding(token => embedder.EmbedImages(videos, token));
        AssertCancelledWhileDecoding(token => embedder.ScoreLogits(videos, [["t0"], ["t1"]], token));
    }

    [TestMethod]
    public void AnEmbedderWithoutItsOwnCancellationChecksTheTokenFirst()
    {
        var embedder = new CountingEmbedder();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsExactly<OperationCanceledException>(() => ((IVideoEmbedder)embedder).EmbedVideos([VideoInput.FromFile("a.mp4")], cancelled.Token));
        Assert.AreEqual(0, embedder.Calls, "nothing was embedded");
        ((IVideoEmbedder)embedder).EmbedVideos([VideoInput.FromFile("a.mp4")], CancellationToken.None);
        Assert.AreEqual(1, embedder.Calls);
    }

    /// <summary>A preprocessor whose ffmpeg is a script that sleeps (the MP4 is probed in-process, so no ffprobe runs).</summary>
    private static VisionPreprocessor HangingPreprocessor(TempMedia temp, int numFrames)
    {
        string wrapper = temp.File("ffmpeg");
        File.WriteAllText(wrapper, "#!/bin/sh\nexec sleep 600\n");
        TempMedia.Run("chmod", "+x", wrapper);
        var decoder = new VideoDecoder(new FfmpegTools(wrapper, FfmpegTools.Default.FfprobePath));
        return new VisionPreprocessor(ImageProcessorConfig.VideoMaeDefaults, numFrames, decoder: decoder);
    }

    private static void AssertCancelledWhileDecoding(Action<CancellationToken> call)
    {
        using var source = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        Assert.Throws<OperationCanceledException>(() => call(source.Token));
        Assert.IsTrue(watch.Elapsed < TimeSpan.FromSeconds(60), $"returned {watch.Elapsed} after the cancellation, not when the 600 s ffmpeg ended");
    }

    private sealed class CountingEmbedder : IVideoEmbedder
    {
        public int Calls { get; private set; }

        public int Dimension => 1;

        public int PixelValueCount => 1;

        public float[][] EmbedVideos(IReadOnlyList<VideoInput> videos)
        {
            Calls++;
            return videos.Select(_ => new float[1]).ToArray();
        }
    }
}
