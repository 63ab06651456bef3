using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>Encoded images held in memory are decoded exactly like files (by Skia, or through ffmpeg's stdin).</summary>
[TestClass]
public sealed class InMemoryDecodingTests
{
    private static readonly VideoDecoder Decoder = new();

    [TestMethod]
    public void BytesDecodeLikeTheFile()
    {
        foreach (string name in VisionFixtures.AllImageNames)
        {
            string path = VisionFixtures.Image(name);

            RgbImage fromBytes = Decoder.DecodeImage(File.ReadAllBytes(path), name);
            RgbImage fromFile = Decoder.ReadImage(path);

            Assert.AreEqual((fromFile.Width, fromFile.Height), (fromBytes.Width, fromBytes.Height), name);
            CollectionAssert.AreEqual(fromFile.Pixels, fromBytes.Pixels, name);
        }
    }

    [TestMethod]
    public void GarbageBytesNameTheSource()
    {
        byte[] garbage = new byte[3000];
        new Random(7).NextBytes(garbage);

        var ex = Assert.ThrowsExactly<VideoDecodingException>(() => Decoder.DecodeImage(garbage, "row 17"));
        var empty = Assert.ThrowsExactly<VideoDecodingException>(() => Decoder.DecodeImage(Array.Empty<byte>(), "row 18"));

        StringAssert.Contains(ex.Message, "row 17");
        StringAssert.Contains(empty.Message, "row 18");
    }

    [TestMethod]
    public void FileNamesThatLookLikeOptionsOrProtocolsAreFiles()
    {
        using var temp = new TempMedia();
        string odd = temp.File("-i http:frame.png");
        File.Copy(VisionFixtures.Image("rgb_97x61"), odd);

        RgbImage image = Decoder.ReadImage(odd);

        Assert.AreEqual((97, 61), (image.Width, image.Height));
    }
}
