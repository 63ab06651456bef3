using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Tests.Modeling;

[TestClass]
public sealed class PretrainedClipModelTests
{
    [TestMethod]
    [DataRow("xclip-tiny", "xclip", "logits_per_video")]
    [DataRow("altclip-tiny", "altclip", "logits_per_image")]
    public void RawNamedInputsGiveTheExpectedNamedOutputs(string fixture, string modelType, string logits)
    {
        var data = new ModelFixture(fixture);
        using PretrainedClipModel model = PretrainedClipModel.Load(data.Folder);
        Assert.AreEqual(modelType, model.ModelType);
        IReadOnlyDictionary<string, Tensor> outputs = model.Forward(data.Inputs, new ForwardOptions { OutputHiddenStates = true });
        foreach (string name in new[] { logits, "logits_per_text", "text_embeds", "text_model_output.last_hidden_state", "text_model_output.hidden_states.2", "vision_model_output.pooler_output" })
        {
            data.AssertClose(name, outputs[name]);
        }
    }

    [TestMethod]
    public void MissingInputsAndForeignModelTypesAreClearErrors()
    {
        var data = new ModelFixture("xclip-tiny");
        using PretrainedClipModel model = PretrainedClipModel.Load(data.Folder);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => model.Forward(data.Expected));
        StringAssert.Contains(ex.Message, "pixel_values");

        string folder = Path.Combine(Path.GetTempPath(), "clip-foreign-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "config.json"), "{\"model_type\": \"clip\"}");
            File.Copy(TestFixtures.Path("models/xclip-tiny/model.safetensors"), Path.Combine(folder, "model.safetensors"));
            var wrong = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedClipModel.Load(folder));
            StringAssert.Contains(wrong.Message, "'clip'");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
