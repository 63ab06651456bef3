using System.Text.Json.Nodes;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tests.Modeling;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Tests.XClip;

[TestClass]
public sealed class XClipConfigTests
{
    private static string ConfigPath => TestFixtures.Path("models/xclip-tiny/config.json");

    private static JsonNode FullConfig => JsonNode.Parse(File.ReadAllText(TestFixtures.Path("models/xclip-tiny/config_full.json")))!;

    [TestMethod]
    public void DiffOnlyConfigFilledWithDefaultsEqualsEveryFieldOfConfigFull()
    {
        XClipConfig config = XClipConfig.FromFile(ConfigPath);
        JsonAssert.Equal(FullConfig, config.ToJsonObject());
        Assert.AreEqual(3, config.VisionConfig.NumFrames);
        Assert.AreEqual(24, config.ProjectionDim);
        Assert.AreEqual(77, config.TextConfig.MaxPositionEmbeddings);
        Assert.AreEqual(1, config.TextConfig.PadTokenId);
        Assert.AreEqual(16, config.VisionConfig.NumPatches);
    }

    [TestMethod]
    public void FullConfigReadsBackToTheSameJson()
    {
        XClipConfig config = XClipConfig.FromJson(FullConfig.ToJsonString(), "config_full.json");
        JsonAssert.Equal(FullConfig, config.ToJsonObject());
    }

    [TestMethod]
    public void SaveAndReloadRoundTrips()
    {
        XClipConfig config = XClipConfig.FromFile(ConfigPath) with { ProjectionDim = 24, PromptLayers = 3 };
        string path = Path.Combine(Path.GetTempPath(), $"xclip-config-{Guid.NewGuid():N}.json");
        try
        {
            config.Save(path);
            XClipConfig again = XClipConfig.FromFile(path);
            JsonAssert.Equal(config.ToJsonObject(), again.ToJsonObject());
            Assert.AreEqual(3, again.PromptLayers);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void DefaultsAreThoseOfTransformers()
    {
        var config = new XClipConfig();
        Assert.AreEqual(512, config.ProjectionDim);
        Assert.AreEqual(2, config.PromptLayers);
        Assert.AreEqual(8, config.PromptNumAttentionHeads);
        Assert.AreEqual(0.1, config.PromptAlpha);
        Assert.AreEqual(2.6592, config.LogitScaleInitValue);
        Assert.AreEqual(49408, config.TextConfig.VocabSize);
        Assert.AreEqual(512, config.TextConfig.HiddenSize);
        Assert.AreEqual(2048, config.TextConfig.IntermediateSize);
        Assert.AreEqual(12, config.TextConfig.NumHiddenLayers);
        Assert.AreEqual(8, config.TextConfig.NumAttentionHeads);
        Assert.AreEqual(768, config.VisionConfig.HiddenSize);
        Assert.AreEqual(3072, config.VisionConfig.IntermediateSize);
        Assert.AreEqual(12, config.VisionConfig.NumAttentionHeads);
        Assert.AreEqual(512, config.VisionConfig.MitHiddenSize);
        Assert.AreEqual(2048, config.VisionConfig.MitIntermediateSize);
        Assert.AreEqual(1, config.VisionConfig.MitNumHiddenLayers);
        Assert.AreEqual(8, config.VisionConfig.MitNumAttentionHeads);
        Assert.AreEqual(224, config.VisionConfig.ImageSize);
        Assert.AreEqual(32, config.VisionConfig.PatchSize);
        Assert.AreEqual(8, config.VisionConfig.NumFrames);
        Assert.AreEqual("quick_gelu", config.VisionConfig.HiddenAct);
        Assert.AreEqual(1e-5, config.VisionConfig.LayerNormEps);
        config.Validate();
    }

    [TestMethod]
    public void MissingOrForeignModelTypeIsAClearError()
    {
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => XClipConfig.FromJson("{\"projection_dim\": 512}", "my/config.json"));
        StringAssert.Contains(ex.Message, "my/config.json");
        StringAssert.Contains(ex.Message, "model_type");
        ex = Assert.ThrowsExactly<InvalidDataException>(() => XClipConfig.FromJson("{\"model_type\": \"altclip\"}", "c.json"));
        StringAssert.Contains(ex.Message, "altclip");
        ex = Assert.ThrowsExactly<InvalidDataException>(() => XClipConfig.FromJson("{\"model_type\": \"xclip\", \"vision_config\": {\"model_type\": \"clip_vision_model\"}}", "c.json"));
        StringAssert.Contains(ex.Message, "clip_vision_model");
    }

    [TestMethod]
    public void WrongFieldTypesAndInconsistentSizesNameTheField()
    {
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => XClipConfig.FromJson("{\"model_type\": \"xclip\", \"projection_dim\": \"big\"}", "c.json"));
        StringAssert.Contains(ex.Message, "projection_dim");
        ex = Assert.ThrowsExactly<InvalidDataException>(() => XClipConfig.FromJson("{\"model_type\": \"xclip\", \"text_config\": {\"hidden_size\": 2.5}}", "c.json"));
        StringAssert.Contains(ex.Message, "hidden_size");
        ex = Assert.ThrowsExactly<InvalidDataException>(() => XClipConfig.FromJson("not json", "c.json"));
        StringAssert.Contains(ex.Message, "c.json");

        var bad = new XClipConfig { TextConfig = new XClipTextConfig { HiddenSize = 30, NumAttentionHeads = 4 } };
        ex = Assert.ThrowsExactly<InvalidDataException>(bad.Validate);
        StringAssert.Contains(ex.Message, "text_config.hidden_size");
        bad = new XClipConfig { ProjectionDim = 256 };
        ex = Assert.ThrowsExactly<InvalidDataException>(bad.Validate);
        StringAssert.Contains(ex.Message, "mit_hidden_size");
        Assert.ThrowsExactly<NotSupportedException>(() => new XClipConfig { PromptHiddenAct = "swish" }.Validate());
    }

    [TestMethod]
    public void LegacyConfigDictKeysOverrideTheNestedConfigs()
    {
        string json = """
            {
              "model_type": "xclip",
              "text_config": { "hidden_size": 64, "vocab_size": 123 },
              "text_config_dict": { "hidden_size": 32 },
              "vision_config_dict": { "num_frames": 16, "patch_size": 16 }
            }
            """;
        XClipConfig config = XClipConfig.FromJson(json, "legacy.json");
        Assert.AreEqual(32, config.TextConfig.HiddenSize);
        Assert.AreEqual(49408, config.TextConfig.VocabSize, "text_config_dict's defaults-filled values replace text_config's, as in transformers");
        Assert.AreEqual(16, config.VisionConfig.NumFrames);
        Assert.AreEqual(16, config.VisionConfig.PatchSize);
        JsonObject written = config.ToJsonObject();
        Assert.IsFalse(written.ContainsKey("text_config_dict"), "legacy keys are not written back");
        Assert.IsFalse(written.ContainsKey("vision_config_dict"));
    }

    [TestMethod]
    public void UnknownKeysAreKept()
    {
        XClipConfig config = XClipConfig.FromJson("{\"model_type\": \"xclip\", \"my_extra\": [1, 2]}", "c.json");
        Assert.AreEqual("[1,2]", config.ToJsonObject()["my_extra"]!.ToJsonString());
    }
}
