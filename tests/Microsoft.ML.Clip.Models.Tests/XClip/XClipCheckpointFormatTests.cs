using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Tests.Modeling;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Tests.XClip;

/// <summary>The same parity from pytorch_model.bin and from a Hub id resolved offline through the shared cache.</summary>
[TestClass]
public sealed class XClipCheckpointFormatTests
{
    private static string Folder => new ModelFixture("xclip-tiny").Folder;

    [TestMethod]
    public void EveryExpectedTensorMatchesFromPytorchModelBin()
    {
        XClipConfig config = XClipConfig.FromFile(Path.Combine(Folder, "config.json"));
        using ITensorStore store = CheckpointLoader.OpenFile(Path.Combine(Folder, "pytorch_model.bin"));
        using XClipModel model = XClipModel.FromWeights(config, store);
        XClipParityTests.AssertEveryExpectedTensor(model);
    }

    [TestMethod]
    public void HubIdLoadsTheCachedSnapshotWithPytorchWeights()
    {
        using var cache = new FakeHubCache("microsoft/xclip-tiny-test", Folder, "config.json", "pytorch_model.bin");
        using (XClipModel model = XClipModel.FromPretrained("microsoft/xclip-tiny-test", cache.Options))
        {
            XClipParityTests.AssertEveryExpectedTensor(model);
        }

        using (XClipModel pinned = XClipModel.FromPretrained("microsoft/xclip-tiny-test@" + FakeHubCache.Commit, cache.Options))
        {
            Assert.AreEqual(3, pinned.Config.VisionConfig.NumFrames);
        }

        var ex = Assert.ThrowsExactly<FileNotFoundException>(() => XClipModel.FromPretrained("microsoft/not-cached", cache.Options));
        StringAssert.Contains(ex.Message, "microsoft/not-cached");
    }

    [TestMethod]
    public void AFolderWithoutWeightsOrConfigIsAClearError()
    {
        string empty = Path.Combine(Path.GetTempPath(), "xclip-empty-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(empty);
        try
        {
            var ex = Assert.ThrowsExactly<FileNotFoundException>(() => XClipModel.FromPretrained(empty));
            StringAssert.Contains(ex.Message, "config.json");
            File.Copy(Path.Combine(Folder, "config.json"), Path.Combine(empty, "config.json"));
            ex = Assert.ThrowsExactly<FileNotFoundException>(() => XClipModel.FromPretrained(empty));
            StringAssert.Contains(ex.Message, "model.safetensors");
            File.Copy(TestFixturesPath("models/altclip-tiny/config.json"), Path.Combine(empty, "config.json"), overwrite: true);
            var wrong = Assert.ThrowsExactly<InvalidDataException>(() => XClipModel.FromPretrained(empty));
            StringAssert.Contains(wrong.Message, "altclip");
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    private static string TestFixturesPath(string relative) => Microsoft.ML.Clip.Testing.TestFixtures.Path(relative);
}
