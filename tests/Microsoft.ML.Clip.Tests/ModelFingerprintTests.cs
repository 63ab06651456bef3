using System.Security.Cryptography;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Transforms.Internal;

namespace Microsoft.ML.Clip.Tests;

/// <summary>The fingerprint a saved transformer keeps of its local model folder, and how loading checks it.</summary>
[TestClass]
public sealed class ModelFingerprintTests
{
    [TestMethod]
    public void AChangedConfigIsCaughtNotOnlyChangedWeights()
    {
        string folder = CopyOfTiny();
        try
        {
            string saved = ModelFingerprint.Compute(folder)!;
            Assert.AreEqual(CheckpointFingerprint.Compute(folder), saved, "the library's one checkpoint fingerprint");
            ModelFingerprint.Verify(folder, saved, "pipeline.zip");   // unchanged: no exception

            File.AppendAllText(Path.Combine(folder, "config.json"), "\n");
            var error = Assert.ThrowsExactly<InvalidDataException>(() => ModelFingerprint.Verify(folder, saved, "pipeline.zip"));
            StringAssert.Contains(error.Message, "pipeline.zip");
            StringAssert.Contains(error.Message, saved);
            StringAssert.Contains(error.Message, CheckpointFingerprint.Compute(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AFolderThatLostItsWeightsFailsInsteadOfPassingUnchecked()
    {
        string folder = CopyOfTiny();
        try
        {
            string saved = ModelFingerprint.Compute(folder)!;
            File.Move(Path.Combine(folder, "model.safetensors"), Path.Combine(folder, "elsewhere.safetensors"));
            var error = Assert.ThrowsExactly<InvalidDataException>(() => ModelFingerprint.Verify(folder, saved, "pipeline.zip"));
            StringAssert.Contains(error.Message, "lacks config.json or weights");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ALegacyHashOfModelSafetensorsIsStillChecked()
    {
        // Transformers saved before this fingerprint stored the bare SHA-256 of model.safetensors.
        string folder = CopyOfTiny();
        try
        {
            string weights = Path.Combine(folder, "model.safetensors");
            string legacy = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(weights))).ToLowerInvariant();
            ModelFingerprint.Verify(folder, legacy, "old.zip");   // same weights: loads

            File.AppendAllText(Path.Combine(folder, "config.json"), "\n");
            ModelFingerprint.Verify(folder, legacy, "old.zip");   // the legacy hash never covered the config

            using (FileStream stream = File.OpenWrite(weights))
            {
                stream.Seek(0, SeekOrigin.End);
                stream.WriteByte(0);
            }

            var error = Assert.ThrowsExactly<InvalidDataException>(() => ModelFingerprint.Verify(folder, legacy, "old.zip"));
            StringAssert.Contains(error.Message, "model.safetensors had SHA-256 " + legacy);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void HubIdsAndIncompleteFoldersHaveNoFingerprint()
    {
        Assert.IsNull(ModelFingerprint.Compute("microsoft/xclip-base-patch32"));
        ModelFingerprint.Verify("microsoft/xclip-base-patch32", "sha256:" + new string('0', 64), "p.zip");   // nothing local to compare

        string folder = Directory.CreateTempSubdirectory("fingerprint-empty-").FullName;
        try
        {
            Assert.IsNull(ModelFingerprint.Compute(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string CopyOfTiny()
    {
        string folder = Directory.CreateTempSubdirectory("fingerprint-").FullName;
        foreach (string file in new[] { "config.json", "model.safetensors" })
        {
            File.Copy(TestFixtures.Path($"models/xclip-tiny/{file}"), Path.Combine(folder, file));
        }

        return folder;
    }
}
