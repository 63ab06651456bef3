using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

[TestClass]
public sealed class ImageProcessorConfigTests
{
    [TestMethod]
    public void XClipConfigGetsVideoMaeDefaultsForAbsentFields()
    {
        var config = ImageProcessorConfig.Load(Path.Combine(VisionFixtures.Config("xclip-base-patch32"), "preprocessor_config.json"));

        Assert.IsTrue(config.IsVideoMae);
        Assert.AreEqual(224, config.ShortestEdge, "bare int size → shortest_edge");
        Assert.AreEqual((224, 224), (config.CropHeight, config.CropWidth), "crop_size default");
        Assert.AreEqual(ResampleFilter.Bilinear, config.Resample);
        Assert.IsTrue(config.DoRescale);
        Assert.AreEqual(1.0 / 255, config.RescaleFactor);
        CollectionAssert.AreEqual(new[] { 0.485, 0.456, 0.406 }, config.ImageMean.ToArray());
        CollectionAssert.AreEqual(new[] { 0.229, 0.224, 0.225 }, config.ImageStd.ToArray());
    }

    [TestMethod]
    public void AltClipConfigIsRead()
    {
        var config = ImageProcessorConfig.Load(Path.Combine(VisionFixtures.Config("altclip"), "preprocessor_config.json"));

        Assert.IsFalse(config.IsVideoMae);
        Assert.AreEqual(ResampleFilter.Bicubic, config.Resample);
        Assert.AreEqual(0.00392156862745098, config.RescaleFactor);
        CollectionAssert.AreEqual(ImageProcessorConfig.OpenAIClipMean.ToArray(), config.ImageMean.ToArray());
    }

    [TestMethod]
    public void SizeDictionariesAndSquareCrops()
    {
        var exact = ImageProcessorConfig.Parse("""{"image_processor_type":"CLIPImageProcessor","size":{"height":256,"width":320},"crop_size":200}""");
        var video = ImageProcessorConfig.Parse("""{"image_processor_type":"VideoMAEImageProcessor"}""");

        Assert.IsNull(exact.ShortestEdge);
        Assert.AreEqual((256, 320), (exact.SizeHeight, exact.SizeWidth));
        Assert.AreEqual((200, 200), (exact.CropHeight, exact.CropWidth));
        CollectionAssert.AreEqual(new[] { 0.5, 0.5, 0.5 }, video.ImageMean.ToArray(), "VideoMAE's own default mean");
    }

    [TestMethod]
    public void BadConfigsNameTheFileAndTheProblem()
    {
        using var temp = new TempMedia();
        string path = temp.File("preprocessor_config.json");
        File.WriteAllText(path, """{"image_mean":[0.5,0.5],"image_std":[0.5,0.5,0.5]}""");

        var ex = Assert.ThrowsExactly<InvalidDataException>(() => ImageProcessorConfig.Load(path));
        var missing = Assert.ThrowsExactly<FileNotFoundException>(() => ImageProcessorConfig.Load(temp.File("nope.json")));

        StringAssert.Contains(ex.Message, path);
        StringAssert.Contains(ex.Message, "image_mean");
        StringAssert.Contains(missing.Message, "nope.json");
    }
}
