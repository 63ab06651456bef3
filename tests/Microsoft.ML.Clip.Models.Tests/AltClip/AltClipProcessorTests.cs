using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tests.Modeling;
using Microsoft.ML.Clip.Tests.Vision;

namespace Microsoft.ML.Clip.Tests.AltClip;

[TestClass]
[TestCategory("ffmpeg")]
public sealed class AltClipProcessorTests
{
    [TestMethod]
    public void ProcessorTurnsImagesAndTextsIntoTheReferenceInputs()
    {
        using var folder = new ProcessorFolder(File.ReadAllText(TestFixtures.Path("models/altclip-tiny/config.json")),
            "processors/configs/altclip", "tokenizers/xlm-roberta-surrogate", "sentencepiece.bpe.model", "tokenizer_config.json", "tokenizer.json");
        AltClipProcessor processor = AltClipProcessor.FromPretrained(folder.Path);
        Assert.AreEqual(38, processor.MaxTextLength, "the tiny config's 40 positions allow 38 tokens");

        Tensor pixels = processor.ProcessImages([VisionFixtures.Image("rgb_320x240"), VisionFixtures.Image("rgb_97x61")]);
        var expected = VisionFixtures.Expected("altclip_images");
        TensorAssert.Close(expected.LoadFloat32("rgb_320x240").Reshape(3, 224, 224), pixels.Slice(0), 1e-5f, "rgb_320x240");
        TensorAssert.Close(expected.LoadFloat32("rgb_97x61").Reshape(3, 224, 224), pixels.Slice(1), 1e-5f, "rgb_97x61");

        TokenBatch tokens = processor.EncodeText(["a photo of a cat", "cat"]);
        CollectionAssert.AreEqual(new long[] { 0, 23, 1987, 2936, 149, 23, 8660, 2 }, tokens.Ids(0).ToArray());
        Assert.AreEqual(1, tokens.Ids(1)[^1], "padded with <pad>");
        Assert.AreEqual(0, tokens.Mask(1)[^1]);
    }
}
