using System.Text.Json;
using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Cli.Bench;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

/// <summary>
/// The <c>clip bench</c> plumbing (only the FMA peak is run here: the model benchmarks build full-size models, which
/// is benchmark work, not unit-test work). No timing is asserted.
/// </summary>
[TestClass]
public sealed class BenchCommandTests
{
    [TestMethod]
    public void JsonLineHasTheDocumentedFields()
    {
        CliResult result = CliRunner.Run("bench", "--filter", "gemm.peak", "--runs", "1", "--json", "--threads", "1");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        string[] lines = result.OutLines;
        Assert.AreEqual(1, lines.Length, result.Out);
        using JsonDocument line = JsonDocument.Parse(lines[0]);
        JsonElement root = line.RootElement;
        Assert.AreEqual("gemm.peak", root.GetProperty("name").GetString());
        foreach (string field in new[] { "median_s", "min_s", "max_s", "gflops" })
        {
            Assert.IsTrue(root.GetProperty(field).GetDouble() > 0, field);
        }

        Assert.IsTrue(root.GetProperty("min_s").GetDouble() <= root.GetProperty("max_s").GetDouble());
        StringAssert.Contains(result.Error, "1 thread(s)");
    }

    [TestMethod]
    public void EveryIssueNameIsABenchmark()
    {
        CollectionAssert.AreEqual(
            new[]
            {
                "xclip.load", "xclip.video.b1", "xclip.video.b4", "xclip.forward.v1t10", "xclip.text.b32",
                "altclip.load", "altclip.image.b1", "altclip.image.b4", "altclip.text.b32",
                "altclip-vitl14.load", "altclip-vitl14.image.b1",
                "preprocess.1080p.v1", "preprocess.1080p.v4", "preprocess.1080p.dense", "gemm.peak",
            },
            BenchmarkCatalog.All.Select(b => b.Name).ToArray());
    }

    [TestMethod]
    public void EveryModelFamilyHasACheckpointAndIsLoadedFirst()
    {
        // Benchmarks of one family must be consecutive (the command frees a family's model and checkpoint when the next
        // family starts), and each family's load is timed before its model is built and held.
        string[] families = BenchmarkCatalog.All.Select(b => b.Name.Split('.')[0]).ToArray();
        string[] distinct = families.Distinct().ToArray();
        CollectionAssert.AreEqual(distinct, families.Where((f, i) => i == 0 || families[i - 1] != f).ToArray(), "families are consecutive");
        CollectionAssert.AreEquivalent(distinct.Where(f => f is not ("gemm" or "preprocess")).ToArray(), BenchmarkModels.Families.ToArray());
        foreach (string family in BenchmarkModels.Families)
        {
            Assert.AreEqual($"{family}.load", BenchmarkCatalog.All.First(b => b.Name.StartsWith(family + ".", StringComparison.Ordinal)).Name);
        }
    }

    [TestMethod]
    public void CheckpointFolderWritesALoadableMemoryMappedCheckpointAndDeletesIt()
    {
        var xclipConfig = XClipConfig.FromFile(TestFixtures.Path("models/xclip-tiny/config.json"));
        var altclipConfig = AltClipConfig.FromFile(TestFixtures.Path("models/altclip-tiny/config.json"));
        string xclipPath, altclipPath;
        using (CheckpointFolder xclip = CheckpointFolder.Write(xclipConfig, (c, w) => XClipModel.FromWeightSource(c, w), seed: 1))
        using (CheckpointFolder altclip = CheckpointFolder.Write(altclipConfig, (c, w) => AltClipModel.FromWeightSource(c, w), seed: 2))
        {
            xclipPath = xclip.Path;
            altclipPath = altclip.Path;
            using (ITensorStore store = CheckpointLoader.Open(xclip.Path))
            {
                Assert.IsTrue(((SafeTensorsFile)store).IsMemoryMapped);
            }

            using XClipModel fromFile = XClipModel.FromPretrained(xclip.Path);
            using XClipModel random = XClipModel.CreateRandom(xclipConfig, seed: 1);
            Assert.AreEqual(random.ParameterCount, fromFile.ParameterCount);
            Assert.AreEqual(random.ParameterCount * 4, xclip.WeightBytes, 64 * 1024, "the file is the float32 weights and a header");
            using AltClipModel altclipModel = AltClipModel.FromPretrained(altclip.Path);
            Assert.AreEqual(altclipConfig.ProjectionDim, altclipModel.Config.ProjectionDim);
        }

        Assert.IsFalse(Directory.Exists(xclipPath), xclipPath);
        Assert.IsFalse(Directory.Exists(altclipPath), altclipPath);
    }

    [TestMethod]
    public void CheckpointKeptInANamedFolderIsWrittenOnceReusedAndNotDeleted()
    {
        var config = XClipConfig.FromFile(TestFixtures.Path("models/xclip-tiny/config.json"));
        string folder = Path.Combine(Path.GetTempPath(), "clip-bench-kept-" + Guid.NewGuid().ToString("N"));
        try
        {
            string weights = Path.Combine(folder, "model.safetensors");
            using (CheckpointFolder.WriteOrReuse(folder, config, (c, w) => XClipModel.FromWeightSource(c, w), seed: 1))
            {
            }

            Assert.IsTrue(File.Exists(weights), "disposing a kept checkpoint must not delete it");
            byte[] first = File.ReadAllBytes(weights);
            DateTime written = File.GetLastWriteTimeUtc(weights);
            using (CheckpointFolder again = CheckpointFolder.WriteOrReuse(folder, config, (c, w) => XClipModel.FromWeightSource(c, w), seed: 1))
            {
                Assert.AreEqual(Path.GetFullPath(folder), again.Path);
                Assert.AreEqual(written, File.GetLastWriteTimeUtc(weights), "an existing checkpoint is reused, not written again");
            }

            // The same seed gives the same weights as the temporary checkpoint clip bench writes.
            using CheckpointFolder temporary = CheckpointFolder.Write(config, (c, w) => XClipModel.FromWeightSource(c, w), seed: 1);
            CollectionAssert.AreEqual(first, File.ReadAllBytes(Path.Combine(temporary.Path, "model.safetensors")));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [TestMethod]
    public void FlopCountsAgreeWithThePyTorchReferenceTable()
    {
        // The project's PyTorch side-by-side notes list ≈ GFLOP per call for the default configs: 72, 288, 85, 39 (X-CLIP), 8.8, 35, 309 (AltCLIP).
        var xclip = new XClipConfig();
        var altclip = new AltClipConfig();
        Assert.AreEqual(72, FlopCount.XClipVideo(xclip, 1) / 1e9, 72 * 0.05);
        Assert.AreEqual(288, FlopCount.XClipVideo(xclip, 4) / 1e9, 288 * 0.05);
        Assert.AreEqual(85, FlopCount.XClipForward(xclip, 1, 10, 16) / 1e9, 85 * 0.05);
        Assert.AreEqual(39, FlopCount.XClipText(xclip, 32, 16) / 1e9, 39 * 0.05);
        Assert.AreEqual(8.8, FlopCount.AltClipImage(altclip, 1) / 1e9, 8.8 * 0.05);
        Assert.AreEqual(35, FlopCount.AltClipImage(altclip, 4) / 1e9, 35 * 0.05);
        Assert.AreEqual(309, FlopCount.AltClipText(altclip, 32, 16) / 1e9, 309 * 0.05);
    }

    [TestMethod]
    public void UnknownFilterIsAUsageErrorListingTheNames()
    {
        CliResult result = CliRunner.Run("bench", "--filter", "nope");
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "xclip.video.b1");
    }

    [TestMethod]
    public void TableHasAHeaderAndARow()
    {
        CliResult result = CliRunner.Run("bench", "-f", "gemm", "-n", "1");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.StartsWith(result.OutLines[0], "name");
        StringAssert.StartsWith(result.OutLines[1], "gemm.peak");
    }
}
