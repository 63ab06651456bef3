using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Testing;
using static Microsoft.ML.Clip.Tests.Checkpoints.TestFiles;

namespace Microsoft.ML.Clip.Tests.Checkpoints;

[TestClass]
public sealed class ShardedCheckpointTests
{
    [TestMethod]
    public void ShardedSafeTensorsMatchTheSingleFile()
    {
        using var whole = SafeTensorsFile.Open(TestFixtures.Path("models/xclip-tiny/model.safetensors"));
        string[] names = whole.Names.OrderBy(n => n, StringComparer.Ordinal).ToArray();
        string folder = NewFolder();
        try
        {
            // Split the fixture into two shards the way save_pretrained names them.
            var weightMap = new Dictionary<string, string>();
            for (int shard = 0; shard < 2; shard++)
            {
                string file = $"model-0000{shard + 1}-of-00002.safetensors";
                var part = names.Where((_, i) => i % 2 == shard).ToArray();
                File.WriteAllBytes(Path.Combine(folder, file), SafeTensors(part.Select(n =>
                    new RawTensor(n, "F32", whole.GetInfo(n)!.Shape, F32(whole.LoadFloat32(n).ToArray())))));
                foreach (string n in part)
                {
                    weightMap[n] = file;
                }
            }

            WriteIndex(Path.Combine(folder, "model.safetensors.index.json"), weightMap);
            using ITensorStore sharded = CheckpointLoader.Open(folder);
            Assert.IsInstanceOfType<ShardedTensorStore>(sharded);
            Assert.AreEqual(2, ((ShardedTensorStore)sharded).ShardFiles.Count);
            CollectionAssert.AreEquivalent(names, sharded.Names.ToArray());
            foreach (string n in names)
            {
                CollectionAssert.AreEqual(whole.GetInfo(n)!.Shape, sharded.GetInfo(n)!.Shape, n);
                Assert.IsTrue(whole.LoadFloat32(n).Span.SequenceEqual(sharded.LoadFloat32(n).Span), n);
            }

            File.Delete(Path.Combine(folder, "model-00002-of-00002.safetensors"));
            var missing = Assert.ThrowsExactly<InvalidDataException>(() => CheckpointLoader.Open(folder));
            StringAssert.Contains(missing.Message, "model-00002-of-00002.safetensors");
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    [TestMethod]
    public void ShardedPyTorchBinLoads()
    {
        string folder = NewFolder();
        try
        {
            using var whole = PyTorchCheckpoint.Open(TestFixtures.Path("models/altclip-tiny/pytorch_model.bin"));
            string[] names = whole.Names.ToArray();
            var weightMap = new Dictionary<string, string>();
            for (int i = 0; i < names.Length; i++)
            {
                weightMap[names[i]] = $"pytorch_model-0000{(i % 2) + 1}-of-00002.bin";
            }

            foreach (string file in weightMap.Values.Distinct())
            {
                File.Copy(TestFixtures.Path("models/altclip-tiny/pytorch_model.bin"), Path.Combine(folder, file));
            }

            WriteIndex(Path.Combine(folder, "pytorch_model.bin.index.json"), weightMap);
            using ITensorStore sharded = CheckpointLoader.Open(folder);
            CollectionAssert.AreEquivalent(names, sharded.Names.ToArray());
            CollectionAssert.AreEquivalent(weightMap.Values.Distinct().ToArray(), ShardedTensorStore.ReadShardFileNames(Path.Combine(folder, "pytorch_model.bin.index.json")).ToArray());
            foreach (string n in names)
            {
                Assert.IsTrue(whole.LoadFloat32(n).Span.SequenceEqual(sharded.LoadFloat32(n).Span), n);
            }
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    [TestMethod]
    public void IndexWithUnsafeShardNameIsRejected()
    {
        string folder = NewFolder();
        try
        {
            string index = Path.Combine(folder, "model.safetensors.index.json");
            WriteIndex(index, new Dictionary<string, string> { ["w"] = "../outside.safetensors" });
            var error = Assert.ThrowsExactly<InvalidDataException>(() => ShardedTensorStore.Open(index));
            StringAssert.Contains(error.Message, "'w'");
            StringAssert.Contains(error.Message, "not a plain file name");
        }
        finally
        {
            DeleteFolder(folder);
        }
    }
}
