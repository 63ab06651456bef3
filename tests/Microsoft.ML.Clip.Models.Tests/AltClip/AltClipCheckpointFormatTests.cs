using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Tests.Modeling;

namespace Microsoft.ML.Clip.Tests.AltClip;

/// <summary>The same parity from pytorch_model.bin (the only format BAAI/AltCLIP ships) and from a Hub id resolved offline.</summary>
[TestClass]
public sealed class AltClipCheckpointFormatTests
{
    private static string Folder => new ModelFixture("altclip-tiny").Folder;

    [TestMethod]
    public void EveryExpectedTensorMatchesFromPytorchModelBin()
    {
        AltClipConfig config = AltClipConfig.FromFile(Path.Combine(Folder, "config.json"));
        using ITensorStore store = CheckpointLoader.OpenFile(Path.Combine(Folder, "pytorch_model.bin"));
        using AltClipModel model = AltClipModel.FromWeights(config, store);
        AltClipParityTests.AssertEveryExpectedTensor(model);
    }

    [TestMethod]
    public void HubIdWithOnlyPytorchWeightsLoads()
    {
        using var cache = new FakeHubCache("BAAI/AltCLIP-tiny-test", Folder, "config.json", "pytorch_model.bin");
        using AltClipModel model = AltClipModel.FromPretrained("BAAI/AltCLIP-tiny-test", cache.Options);
        AltClipParityTests.AssertEveryExpectedTensor(model);
    }
}
