using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Tests;

/// <summary>What a <see cref="ClipModelLoader"/>'s video options do to the AltCLIP image embedder it loads.</summary>
[TestClass]
public sealed class ClipModelLoaderTests
{
    private static string Samples(string path) => Path.GetFullPath(Path.Combine(TestFixtures.Directory, "..", "..", "samples", path));

    private static string AltClip => Samples("models/altclip-tiny");

    private static string Video => Samples("media/testsrc2.mp4");

    [TestMethod]
    public void AltClipDecodesWithTheLoadersFfmpeg()
    {
        var loader = new ClipModelLoader(new VisionPreprocessorOptions { Ffmpeg = new FfmpegTools("/nonexistent/ffmpeg", "/nonexistent/ffprobe") });
        using var embedder = (AltClipEmbedder)loader.LoadImageEmbedder(AltClip);

        var error = Assert.ThrowsExactly<FfmpegNotFoundException>(() => embedder.EmbedImages([ImageInput.FromFile(Video)]));
        StringAssert.StartsWith(error.Program, "/nonexistent/");
    }

    [TestMethod]
    public void AltClipKeepsOneFrameWhateverTheVideoFrameCount()
    {
        // The frame count and sampling are X-CLIP's: the image model still embeds the video's middle frame.
        var loader = new ClipModelLoader(new VisionPreprocessorOptions { NumFrames = 8, Sampling = FrameSampling.Parse("clips:2") });
        using var configured = (AltClipEmbedder)loader.LoadImageEmbedder(AltClip);
        using var plain = (AltClipEmbedder)ClipModelLoader.Default.LoadImageEmbedder(AltClip);

        float[] expected = plain.EmbedImages([ImageInput.FromFile(Video)])[0];
        CollectionAssert.AreEqual(expected, configured.EmbedImages([ImageInput.FromFile(Video)])[0]);
    }
}
