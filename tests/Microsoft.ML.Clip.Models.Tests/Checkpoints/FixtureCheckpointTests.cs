using System.Runtime.InteropServices;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Tests.Checkpoints;

[TestClass]
public sealed class FixtureCheckpointTests
{
    [TestMethod]
    [DataRow("models/xclip-tiny", 151)]
    [DataRow("models/altclip-tiny", 83)]
    public void SafeTensorsAndPyTorchBinHoldIdenticalTensors(string folder, int expectedCount)
    {
        using var safe = SafeTensorsFile.Open(TestFixtures.Path(folder + "/model.safetensors"));
        using var bin = PyTorchCheckpoint.Open(TestFixtures.Path(folder + "/pytorch_model.bin"));

        Assert.AreEqual(expectedCount, safe.Names.Count);
        CollectionAssert.AreEquivalent(safe.Names.ToArray(), bin.Names.ToArray());
        foreach (string name in safe.Names)
        {
            TensorInfo a = safe.GetInfo(name)!;
            TensorInfo b = bin.GetInfo(name)!;
            Assert.AreEqual(a.DataType, b.DataType, name);
            CollectionAssert.AreEqual(a.Shape, b.Shape, name);
            Tensor x = safe.LoadFloat32(name);
            Tensor y = bin.LoadFloat32(name);
            CollectionAssert.AreEqual(a.Shape, x.Shape.ToArray(), name);
            Assert.IsTrue(x.Span.SequenceEqual(y.Span), $"tensor '{name}' differs between model.safetensors and pytorch_model.bin");
            Assert.IsFalse(MemoryMarshal.TryGetArray<float>(y.Memory, out _), $"'{name}' from pytorch_model.bin should be a view of the mapped file (torch aligns storages)");
        }
    }

    [TestMethod]
    public void FolderPrefersSafeTensorsAndFallsBackToPyTorch()
    {
        using (ITensorStore store = CheckpointLoader.Open(TestFixtures.Path("models/xclip-tiny")))
        {
            Assert.IsInstanceOfType<SafeTensorsFile>(store);
        }

        string folder = TestFiles.NewFolder();
        try
        {
            File.Copy(TestFixtures.Path("models/altclip-tiny/pytorch_model.bin"), Path.Combine(folder, "pytorch_model.bin"));
            using (ITensorStore store = CheckpointLoader.Open(folder))
            {
                Assert.IsInstanceOfType<PyTorchCheckpoint>(store);
                Assert.AreEqual(83, store.Names.Count);
            }

            File.Delete(Path.Combine(folder, "pytorch_model.bin"));
            var error = Assert.ThrowsExactly<FileNotFoundException>(() => CheckpointLoader.Open(folder));
            StringAssert.Contains(error.Message, "model.safetensors, model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json");
            StringAssert.Contains(error.Message, folder);
        }
        finally
        {
            TestFiles.DeleteFolder(folder);
        }
    }

    [TestMethod]
    public void MappedFloat32TensorsAreZeroCopyCopyOnWriteAndOutliveTheStore()
    {
        string folder = TestFiles.NewFolder();
        try
        {
            string path = Path.Combine(folder, "model.safetensors");
            File.Copy(TestFixtures.Path("models/xclip-tiny/model.safetensors"), path);
            byte[] before = File.ReadAllBytes(path);
            Tensor tensor;
            float original;
            using (var store = SafeTensorsFile.Open(path))
            {
                Assert.IsTrue(store.IsMemoryMapped);
                Assert.AreEqual("pt", store.Metadata["format"]);
                tensor = store.LoadFloat32("text_model.embeddings.token_embedding.weight");
                Assert.IsFalse(MemoryMarshal.TryGetArray<float>(tensor.Memory, out _), "an aligned F32 tensor should not be copied into an array");
                original = tensor.Span[0];
                tensor.Span[0] = original + 1;
            }

            // The store is disposed but the tensor still reads its (privately modified) page.
            Assert.AreEqual(original + 1, tensor.Span[0]);
            CollectionAssert.AreEqual(before, File.ReadAllBytes(path), "writing through a mapped tensor must not change the file");
            using var reopened = SafeTensorsFile.Open(path);
            Assert.AreEqual(original, reopened.LoadFloat32("text_model.embeddings.token_embedding.weight").Span[0]);
        }
        finally
        {
            TestFiles.DeleteFolder(folder);
        }
    }

    [TestMethod]
    public void StateDictReportsMissingShapeMismatchAndUnexpectedKeys()
    {
        using ITensorStore store = CheckpointLoader.Open(TestFixtures.Path("models/xclip-tiny/pytorch_model.bin"));
        var dict = new StateDict(store);
        TensorInfo info = store.GetInfo("logit_scale")!;
        Tensor scale = dict.Take("logit_scale", info.Shape);
        Assert.AreEqual(info.Shape.Length, scale.Rank);

        var missing = Assert.ThrowsExactly<InvalidDataException>(() => dict.Take("no.such.weight", 3));
        StringAssert.Contains(missing.Message, "no.such.weight");
        var mismatch = Assert.ThrowsExactly<InvalidDataException>(() => dict.Take("text_model.embeddings.token_embedding.weight", 7, 7));
        StringAssert.Contains(mismatch.Message, "[1000, 32]");
        StringAssert.Contains(mismatch.Message, "[7, 7]");
        Assert.IsNull(dict.TakeOptional("text_model.no_bias", 32));
        CollectionAssert.AreEqual(new[] { "text_model.no_bias" }, dict.MissingOptionalKeys.ToArray());
        Assert.IsNotNull(dict.TakeOptional("text_model.final_layer_norm.bias", 32));
        Assert.AreEqual(store.Names.Count - 2, dict.UnexpectedKeys().Count);
        Assert.AreEqual(store.Names.Count - 3, dict.UnexpectedKeys(n => n.EndsWith(".token_embedding.weight", StringComparison.Ordinal)).Count);
        var unexpected = Assert.ThrowsExactly<InvalidDataException>(() => dict.EnsureNoUnexpectedKeys());
        StringAssert.Contains(unexpected.Message, $"has {store.Names.Count - 2} weight(s) the model does not use");
    }
}
