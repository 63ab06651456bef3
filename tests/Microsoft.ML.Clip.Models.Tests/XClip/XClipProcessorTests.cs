using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tests.Modeling;
using Microsoft.ML.Clip.Tests.Vision;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Tests.XClip;

[TestClass]
[TestCategory("ffmpeg")]
public sealed class XClipProcessorTests
{
    [TestMethod]
    public void ProcessorTurnsAVideoAndTextsIntoTheReferenceInputs()
    {
        // An 8-frame X-CLIP folder with the real preprocessor config and the CLIP tokenizer.
        XClipConfig config = XClipConfig.FromFile(TestFixtures.Path("models/xclip-tiny/config.json"))
            with { VisionConfig = new XClipVisionConfig { NumFrames = 8 } };
        using var folder = new ProcessorFolder(config.ToJson(), "processors/configs/xclip-base-patch32", "tokenizers/clip",
            "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json");
        XClipProcessor processor = XClipProcessor.FromPretrained(folder.Path);

        Tensor pixels = processor.ProcessVideos([VisionFixtures.TestsrcVideo]);
        TensorAssert.Close(VisionFixtures.Expected("xclip_testsrc_8frames").LoadFloat32("pixel_values"), pixels, 1e-5f, "pixel_values");

        TokenBatch tokens = processor.EncodeText(["a photo of a cat", "a dog"]);
        Assert.AreEqual(2, tokens.Batch);
        CollectionAssert.AreEqual(new long[] { 49406, 320, 1125, 539, 320, 2368, 49407 }, tokens.Ids(0).ToArray());
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 1, 0, 0, 0 }, tokens.Mask(1).ToArray());
        Assert.AreEqual(49407, tokens.Ids(1)[^1], "padded with <|endoftext|>");

        TokenBatch longText = processor.EncodeText([string.Join(' ', Enumerable.Repeat("cat", 200))]);
        Assert.AreEqual(77, longText.Length, "truncated to max_position_embeddings");
        Assert.AreEqual(49407, longText.Ids(0)[76]);
    }
}
