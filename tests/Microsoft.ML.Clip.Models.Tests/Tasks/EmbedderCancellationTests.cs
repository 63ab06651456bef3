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
        string video = OwnCopy(temp);
        VideoInput[] videos = [VideoInput.FromFile(video)];

        AssertCancelledWhileDecoding(video, token => embedder.EmbedVideos(videos, token));
        AssertCancelledWhileDecoding(video, token => embedder.ScoreLogits(videos, [["t0"], ["t1"]], token));
    }

    [TestMethod]
    public void CancellingStopsAnAltClipEmbeddingWhoseFfmpegNeverAnswers()
    {
        using var temp = new TempMedia();
        VisionPreprocessor preprocessor = HangingPreprocessor(temp, numFrames: 1);
        using var embedder = new AltClipEmbedder(AltClipModel.FromPretrained(AltClip.Folder), new FixtureTokenizer(AltClip.Inputs), preprocessor, ownsModel: true);
        string video = OwnCopy(temp);
        ImageInput[] videos = [ImageInput.FromFile(video)];

        AssertCancelledWhileDecoding(video, token => embedder.EmbedImages(videos, token));
        AssertCancelledWhileDecoding(video, token => embedder.ScoreLogits(videos, [["t0"], ["t1"]], token));
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

    /// <summary>
    /// A preprocessor whose ffmpeg answers <c>-version</c> but hangs when asked to decode (the MP4 is probed in-process,
    /// so no ffprobe runs). Cancelling kills the hanging process (the decode's), so none is left behind.
    /// </summary>
    private static VisionPreprocessor HangingPreprocessor(TempMedia temp, int numFrames)
    {
        string wrapper = temp.File("ffmpeg");
        File.WriteAllText(wrapper, "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = -version ] && exec " + FfmpegTools.Default.FfmpegPath + " \"$@\"; done\nexec sleep 600\n");
        TempMedia.Run("chmod", "+x", wrapper);
        var decoder = new VideoDecoder(new FfmpegTools(wrapper, FfmpegTools.Default.FfprobePath));
        return new VisionPreprocessor(ImageProcessorConfig.VideoMaeDefaults, numFrames, decoder: decoder);
    }

    /// <summary>The fixture video under a path of this test's own (to tell its ffmpeg runs from other tests').</summary>
    private static string OwnCopy(TempMedia temp)
    {
        string video = temp.File("own-copy.mp4");
        File.Copy(VisionFixtures.TestsrcVideo, video);
        return video;
    }

    /// <summary>
    /// Cancels <paramref name="call"/> once it has started ffmpeg on <paramref name="video"/> (or after 30 s, which then
    /// fails the test); the call must throw, and that ffmpeg must be gone.
    /// </summary>
    private static void AssertCancelledWhileDecoding(string video, Action<CancellationToken> call)
    {
        var started = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var source = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        void OnStarted(int id, string file)
        {
            if (file == video)
            {
                started.Add(id);
                source.CancelAfter(TimeSpan.FromMilliseconds(50));
            }
        }

        FfmpegProcess.Started += OnStarted;
        try
        {
            var watch = Stopwatch.StartNew();
            Assert.Throws<OperationCanceledException>(() => call(source.Token));
            Assert.IsTrue(watch.Elapsed < TimeSpan.FromSeconds(60), $"returned {watch.Elapsed} after the cancellation, not when the 600 s ffmpeg ended");
        }
        finally
        {
            FfmpegProcess.Started -= OnStarted;
        }

        Assert.IsFalse(started.IsEmpty, "the decode started ffmpeg (cancelled after 30 s otherwise)");
        foreach (int id in started)
        {
            Assert.IsFalse(TempMedia.IsRunning(id), $"ffmpeg (pid {id}) was left running after the cancellation");
        }
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
