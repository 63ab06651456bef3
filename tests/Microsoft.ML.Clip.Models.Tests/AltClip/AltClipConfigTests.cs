using System.Text.Json.Nodes;
using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tests.Modeling;

namespace Microsoft.ML.Clip.Tests.AltClip;

[TestClass]
public sealed class AltClipConfigTests
{
    private static string ConfigPath => TestFixtures.Path("models/altclip-tiny/config.json");

    private static JsonNode FullConfig => JsonNode.Parse(File.ReadAllText(TestFixtures.Path("models/altclip-tiny/config_full.json")))!;

    [TestMethod]
    public void DiffOnlyConfigFilledWithDefaultsEqualsEveryFieldOfConfigFull()
    {
        AltClipConfig config = AltClipConfig.FromFile(ConfigPath);
        JsonAssert.Equal(FullConfig, config.ToJsonObject());
        Assert.AreEqual(24, config.TextConfig.ProjectDim);
        Assert.AreEqual(40, config.TextConfig.MaxPositionEmbeddings);
        Assert.AreEqual(1, config.TextConfig.PadTokenId);
        Assert.AreEqual("gelu", config.TextConfig.HiddenAct);
    }

    [TestMethod]
    public void FullConfigReadsBackToTheSameJson()
    {
        AltClipConfig config = AltClipConfig.FromJson(FullConfig.ToJsonString(), "config_full.json");
        JsonAssert.Equal(FullConfig, config.ToJsonObject());
        string path = Path.Combine(Path.GetTempPath(), $"altclip-config-{Guid.NewGuid():N}.json");
        try
        {
            config.Save(path);
            JsonAssert.Equal(FullConfig, AltClipConfig.FromFile(path).ToJsonObject());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void DefaultsAreThoseOfTransformers()
    {
        var config = new AltClipConfig();
        Assert.AreEqual(768, config.ProjectionDim);
        Assert.AreEqual(250002, config.TextConfig.VocabSize);
        Assert.AreEqual(1024, config.TextConfig.HiddenSize);
        Assert.AreEqual(24, config.TextConfig.NumHiddenLayers);
        Assert.AreEqual(16, config.TextConfig.NumAttentionHeads);
        Assert.AreEqual(4096, config.TextConfig.IntermediateSize);
        Assert.AreEqual(514, config.TextConfig.MaxPositionEmbeddings);
        Assert.AreEqual(768, config.TextConfig.ProjectDim);
        Assert.AreEqual(0.02, config.TextConfig.InitializerFactor);
        Assert.AreEqual(768, config.VisionConfig.HiddenSize);
        Assert.AreEqual(32, config.VisionConfig.PatchSize);
        Assert.AreEqual(512, config.VisionConfig.ProjectionDim);
        config.Validate();
    }

    [TestMethod]
    public void ForeignModelTypeAndBadFieldsAreClearErrors()
    {
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => AltClipConfig.FromJson("{\"model_type\": \"xclip\"}", "c.json"));
        StringAssert.Contains(ex.Message, "xclip");
        ex = Assert.ThrowsExactly<InvalidDataException>(() => AltClipConfig.FromJson("{}", "c.json"));
        StringAssert.Contains(ex.Message, "model_type");
        ex = Assert.ThrowsExactly<InvalidDataException>(() => AltClipConfig.FromJson("{\"model_type\": \"altclip\", \"text_config\": {\"use_cache\": 3}}", "c.json"));
        StringAssert.Contains(ex.Message, "use_cache");
        Assert.ThrowsExactly<NotSupportedException>(() => new AltClipConfig { TextConfig = new AltClipTextConfig { PositionEmbeddingType = "relative_key" } }.Validate());
    }

    [TestMethod]
    public void LegacyVisionConfigDictIsHonoured()
    {
        AltClipConfig config = AltClipConfig.FromJson("{\"model_type\": \"altclip\", \"vision_config_dict\": {\"patch_size\": 14, \"hidden_size\": 1024, \"num_attention_heads\": 16}}", "c.json");
        Assert.AreEqual(14, config.VisionConfig.PatchSize);
        Assert.AreEqual(1024, config.VisionConfig.HiddenSize);
    }
}
