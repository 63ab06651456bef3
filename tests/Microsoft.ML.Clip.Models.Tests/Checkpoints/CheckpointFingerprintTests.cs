using System.Security.Cryptography;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Testing;
using static Microsoft.ML.Clip.Tests.Checkpoints.TestFiles;

namespace Microsoft.ML.Clip.Tests.Checkpoints;

[TestClass]
public sealed class CheckpointFingerprintTests
{
    private static readonly string Tiny = TestFixtures.Path("models/altclip-tiny");

    [TestMethod]
    public void TheFingerprintFollowsTheFilesNotThePath()
    {
        string copy = CopyOfTiny();
        try
        {
            string original = CheckpointFingerprint.Compute(Tiny);
            StringAssert.Matches(original, new System.Text.RegularExpressions.Regex("^sha256:[0-9a-f]{64}$"));
            Assert.AreEqual(original, CheckpointFingerprint.Compute(copy), "a copy elsewhere is the same checkpoint");

            byte[] weights = File.ReadAllBytes(Path.Combine(copy, "model.safetensors"));
            weights[^1] ^= 1;
            File.WriteAllBytes(Path.Combine(copy, "model.safetensors"), weights);
            string flipped = CheckpointFingerprint.Compute(copy);
            Assert.AreNotEqual(original, flipped, "one bit of the weights");

            File.AppendAllText(Path.Combine(copy, "config.json"), " ");
            Assert.AreNotEqual(flipped, CheckpointFingerprint.Compute(copy), "the config is part of the checkpoint");
        }
        finally
        {
            DeleteFolder(copy);
        }
    }

    [TestMethod]
    public void ShardsNamedByTheIndexArePartOfTheFingerprint()
    {
        string folder = NewFolder();
        try
        {
            File.Copy(Path.Combine(Tiny, "config.json"), Path.Combine(folder, "config.json"));
            File.WriteAllBytes(Path.Combine(folder, "a.safetensors"), [1, 2, 3]);
            File.WriteAllBytes(Path.Combine(folder, "b.safetensors"), [4, 5, 6]);
            WriteIndex(Path.Combine(folder, "model.safetensors.index.json"), new() { ["x"] = "a.safetensors", ["y"] = "b.safetensors" });
            string before = CheckpointFingerprint.Compute(folder);

            File.WriteAllBytes(Path.Combine(folder, "b.safetensors"), [4, 5, 7]);
            Assert.AreNotEqual(before, CheckpointFingerprint.Compute(folder), "a shard changed");

            File.Delete(Path.Combine(folder, "b.safetensors"));
            var missing = Assert.ThrowsExactly<FileNotFoundException>(() => CheckpointFingerprint.Compute(folder));
            StringAssert.Contains(missing.Message, "b.safetensors");
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    [TestMethod]
    public void AShardNameThatLeavesTheFolderIsRefused()
    {
        string folder = NewFolder();
        try
        {
            File.Copy(Path.Combine(Tiny, "config.json"), Path.Combine(folder, "config.json"));
            WriteIndex(Path.Combine(folder, "model.safetensors.index.json"), new() { ["x"] = "../config.json" });
            var error = Assert.ThrowsExactly<InvalidDataException>(() => CheckpointFingerprint.Compute(folder));
            StringAssert.Contains(error.Message, "not a plain file name");
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    [TestMethod]
    public void AFolderWithoutConfigOrWeightsSaysWhatIsMissing()
    {
        string folder = NewFolder();
        try
        {
            File.Copy(Path.Combine(Tiny, "config.json"), Path.Combine(folder, "config.json"));
            var noWeights = Assert.ThrowsExactly<FileNotFoundException>(() => CheckpointFingerprint.Compute(folder));
            StringAssert.Contains(noWeights.Message, "has no weights");

            File.Delete(Path.Combine(folder, "config.json"));
            File.Copy(Path.Combine(Tiny, "model.safetensors"), Path.Combine(folder, "model.safetensors"));
            var noConfig = Assert.ThrowsExactly<FileNotFoundException>(() => CheckpointFingerprint.Compute(folder));
            StringAssert.Contains(noConfig.Message, "config.json");
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    [TestMethod]
    public void AHubCacheLinkGivesItsBlobNameWithoutReadingTheBlob()
    {
        string cache = NewFolder();
        try
        {
            // The Hub cache: snapshots/<rev>/model.safetensors → ../../blobs/<sha256 of the content>. The blob here
            // deliberately holds other bytes, so a digest equal to the name proves the name was used.
            string name = new('a', 64);
            Directory.CreateDirectory(Path.Combine(cache, "blobs"));
            File.WriteAllBytes(Path.Combine(cache, "blobs", name), [1, 2, 3]);
            string snapshot = Path.Combine(cache, "snapshots", "rev");
            Directory.CreateDirectory(snapshot);
            string link = Path.Combine(snapshot, "model.safetensors");
            File.CreateSymbolicLink(link, Path.Combine("..", "..", "blobs", name));
            Assert.AreEqual(name, CheckpointFingerprint.FileSha256(link));

            string plain = Path.Combine(cache, "plain.bin");
            File.WriteAllBytes(plain, [1, 2, 3]);
            Assert.AreEqual(Convert.ToHexString(SHA256.HashData(new byte[] { 1, 2, 3 })).ToLowerInvariant(), CheckpointFingerprint.FileSha256(plain));
        }
        finally
        {
            DeleteFolder(cache);
        }
    }

    private static string CopyOfTiny()
    {
        string folder = NewFolder();
        foreach (string file in new[] { "config.json", "model.safetensors" })
        {
            File.Copy(Path.Combine(Tiny, file), Path.Combine(folder, file));
        }

        return folder;
    }
}
