using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

[TestClass]
public sealed class FrameSamplerTests
{
    [TestMethod]
    public void UniformSegmentsTakeTheMiddleFrameOfEachSegment()
    {
        CollectionAssert.AreEqual(new[] { 3, 9, 15, 21, 28, 34, 40, 46 }, FrameSampler.UniformSegments(50, 8));
        CollectionAssert.AreEqual(new[] { 1, 5, 8 }, FrameSampler.UniformSegments(10, 3));   // int(1.5 × 10 / 3) = int(5.0)
        CollectionAssert.AreEqual(new[] { 0 }, FrameSampler.UniformSegments(1, 1));
    }

    [TestMethod]
    public void UniformSegmentsRepeatFramesOfShortVideos()
    {
        CollectionAssert.AreEqual(new[] { 0, 0, 1, 2, 2, 3, 4, 4 }, FrameSampler.UniformSegments(5, 8));
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 0 }, FrameSampler.UniformSegments(1, 4));
    }

    [TestMethod]
    public void StrideIsCentredOrStartsWhereAsked()
    {
        CollectionAssert.AreEqual(new[] { 34, 38, 42, 46, 50, 54, 58, 62 }, FrameSampler.Stride(100, 8, 4));
        CollectionAssert.AreEqual(new[] { 10, 14, 18, 22 }, FrameSampler.Stride(100, 4, 4, start: 10));
    }

    [TestMethod]
    public void StridePastTheEndRepeatsTheLastFrame()
    {
        CollectionAssert.AreEqual(new[] { 0, 4, 8, 12, 16, 19, 19, 19 }, FrameSampler.Stride(20, 8, 4));
        CollectionAssert.AreEqual(new[] { 19, 19 }, FrameSampler.Stride(20, 2, 3, start: 50));
    }

    [TestMethod]
    public void ClipsSpreadOverTheVideo()
    {
        int[][] clips = FrameSampler.Clips(100, 4, 2);

        Assert.AreEqual(2, clips.Length);
        CollectionAssert.AreEqual(new[] { 6, 18, 31, 43 }, clips[0]);
        CollectionAssert.AreEqual(new[] { 56, 68, 81, 93 }, clips[1]);
    }

    [TestMethod]
    public void MoreClipsThanFramesShareFrames()
    {
        int[][] clips = FrameSampler.Clips(2, 2, 3);

        CollectionAssert.AreEqual(new[] { 0, 0 }, clips[0]);
        CollectionAssert.AreEqual(new[] { 0, 0 }, clips[1]);
        CollectionAssert.AreEqual(new[] { 1, 1 }, clips[2]);
    }

    [TestMethod]
    public void InvalidArgumentsAreRejected()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FrameSampler.UniformSegments(0, 8));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FrameSampler.UniformSegments(10, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FrameSampler.Stride(10, 2, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FrameSampler.Clips(10, 2, 0));
    }

    [TestMethod]
    public void SamplingParsesTheCliSyntax()
    {
        Assert.AreEqual(FrameSampling.Uniform, FrameSampling.Parse("uniform"));
        Assert.AreEqual(new FrameSampling(FrameSamplingKind.Stride, Stride: 4), FrameSampling.Parse("stride:4"));
        Assert.AreEqual(new FrameSampling(FrameSamplingKind.Stride, Stride: 4, Start: 10), FrameSampling.Parse("Stride:4@10"));
        Assert.AreEqual(new FrameSampling(FrameSamplingKind.Clips, ClipCount: 3), FrameSampling.Parse("clips:3"));
        Assert.AreEqual("stride:4@10", FrameSampling.Parse("stride:4@10").ToString());
        var ex = Assert.ThrowsExactly<FormatException>(() => FrameSampling.Parse("stride:0"));
        StringAssert.Contains(ex.Message, "stride:0");
        Assert.ThrowsExactly<FormatException>(() => FrameSampling.Parse("random"));
    }

    [TestMethod]
    public void SamplingDispatches()
    {
        CollectionAssert.AreEqual(FrameSampler.UniformSegments(50, 8), FrameSampling.Uniform.Sample(50, 8).Single());
        CollectionAssert.AreEqual(FrameSampler.Stride(50, 8, 2), FrameSampling.Parse("stride:2").Sample(50, 8).Single());
        Assert.AreEqual(3, FrameSampling.Parse("clips:3").Sample(50, 8).Length);
    }

    [TestMethod]
    public void FrameCountMismatchNamesBothNumbers()
    {
        FrameSampler.EnsureModelFrameCount(8, 8, "xclip");

        var ex = Assert.ThrowsExactly<ArgumentException>(() => FrameSampler.EnsureModelFrameCount(16, 8, "microsoft/xclip-base-patch32"));

        StringAssert.Contains(ex.Message, "num_frames = 8");
        StringAssert.Contains(ex.Message, "16 frame(s)");
        StringAssert.Contains(ex.Message, "microsoft/xclip-base-patch32");
    }
}
