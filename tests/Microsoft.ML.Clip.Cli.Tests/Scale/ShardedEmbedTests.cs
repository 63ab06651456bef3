using System.Diagnostics;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.Cli.Scale;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Scale;

/// <summary>
/// <c>clip embed --format parquet --shard i/N</c>: shards given the same inputs embed each input exactly once, and their
/// parts together hold exactly the rows of one unsharded run, also when a shard is killed midway and restarted.
/// </summary>
[TestClass]
public sealed class ShardedEmbedTests
{
    [TestMethod]
    public void ShardsTogetherHoldExactlyTheRowsOfOneUnshardedRun()
    {
        using var temp = new TempFolder();
        string[] inputs = CopyImages(temp, 14);
        string sharded = temp.File("sharded");
        for (int i = 0; i < 3; i++)
        {
            CliResult result = CliRunner.Run(["embed", .. inputs, "--out", sharded, "--format", "parquet", "--shard", $"{i}/3", "-m", TinyModels.AltClip, "-b", "2"]);
            Assert.AreEqual(0, result.ExitCode, result.ToString());
            StringAssert.Contains(result.Error, $"shard {i}/3:");
            StringAssert.Contains(result.Out, $"part-0000{i}-of-00003.parquet");
        }

        string whole = temp.File("whole");
        CliResult single = CliRunner.Run(["embed", .. inputs, "--out", whole, "--format", "parquet", "-m", TinyModels.AltClip]);
        Assert.AreEqual(0, single.ExitCode, single.ToString());
        StringAssert.Contains(single.Out, "14 embedding(s) of size");

        AssertSameRows(whole, sharded, inputs);
        ParquetDataset dataset = ParquetDataset.Open(sharded);
        Assert.IsTrue(dataset.IsComplete, dataset.Problems());
        Assert.AreEqual(0, Directory.GetFiles(sharded, "*.tmp", SearchOption.AllDirectories).Length);
    }

    [TestMethod]
    public void AShardKilledMidwayAndRestartedCompletesTheSameRows()
    {
        using var temp = new TempFolder();
        string[] inputs = CopyVideos(temp, 24);
        string sharded = temp.File("sharded");
        string[] Args(int i) => ["embed", .. inputs, "--out", sharded, "--format", "parquet", "--shard", $"{i}/2", "-m", TinyModels.XClip, "-b", "1"];

        // The shard with more inputs (at least 12 of 24) runs as a real process and is killed (SIGKILL) once it has
        // saved two batches, long before its last.
        int victimShard = inputs.Count(i => ShardSpec.ShardOf(i, 2) == 0) >= 12 ? 0 : 1;
        int otherShard = 1 - victimShard;
        var victimSpec = new ShardSpec(victimShard, 2);
        string segments = Path.Combine(sharded, "_" + Path.GetFileNameWithoutExtension(victimSpec.PartFileName) + ".segments");
        using (Process victim = StartClip(Args(victimShard)))
        {
            var clock = Stopwatch.StartNew();
            while (!(Directory.Exists(segments) && Directory.GetFiles(segments, "seg-*.parquet").Length >= 2))
            {
                if (victim.HasExited)
                {
                    Assert.Fail($"shard {victimShard} ended before it could be killed: exit {victim.ExitCode}\n{victim.StandardError.ReadToEnd()}");
                }

                Assert.IsTrue(clock.Elapsed < TimeSpan.FromMinutes(3), $"shard {victimShard} saved no two batches within 3 minutes");
                Thread.Sleep(10);
            }

            victim.Kill();
            victim.WaitForExit();
        }

        Assert.IsFalse(File.Exists(Path.Combine(sharded, victimSpec.PartFileName)), "the killed shard had not completed its part");
        CollectionAssert.AreEqual(new[] { victimShard }, ParquetDataset.Open(sharded).UnfinishedShards.ToArray());

        // The other shard runs meanwhile (in-process); the killed one is restarted and resumes from its segments.
        CliResult other = CliRunner.Run(Args(otherShard));
        Assert.AreEqual(0, other.ExitCode, other.ToString());
        CliResult restarted = CliRunner.Run(Args(victimShard));
        Assert.AreEqual(0, restarted.ExitCode, restarted.ToString());
        StringAssert.Contains(restarted.Error, "resuming:");
        StringAssert.Matches(restarted.Error, new System.Text.RegularExpressions.Regex(@"\d+ input\(s\) already in"));

        string whole = temp.File("whole");
        Assert.AreEqual(0, CliRunner.Run(["embed", .. inputs, "--out", whole, "--format", "parquet", "-m", TinyModels.XClip, "-b", "4"]).ExitCode);
        AssertSameRows(whole, sharded, inputs);
        Assert.IsTrue(ParquetDataset.Open(sharded).IsComplete);
    }

    [TestMethod]
    public void TheShardComesFromAKubernetesIndexedJobsEnvironment()
    {
        using var temp = new TempFolder();
        string[] inputs = CopyImages(temp, 6);
        string output = temp.File("ds");
        for (int i = 0; i < 2; i++)
        {
            var env = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            CliResult result = CliRunner.Run(
                ["embed", .. inputs, "--out", output, "--format", "parquet", "--shard-from-env", "--shard-count", "2", "-m", TinyModels.AltClip], environment: env);
            Assert.AreEqual(0, result.ExitCode, result.ToString());
        }

        ParquetDataset dataset = ParquetDataset.Open(output);
        Assert.IsTrue(dataset.IsComplete);
        string[] paths = dataset.Parts.SelectMany(p => ParquetEmbeddings.Read(p.Path)).Select(r => r.Path).Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(inputs.Order(StringComparer.Ordinal).ToArray(), paths);
    }

    [TestMethod]
    public void SearchRanksADatasetLikeTheSameEmbeddingsInAFile()
    {
        using var temp = new TempFolder();
        string[] inputs = [Infrastructure.Samples.Path("media/smptebars.png"), .. Fixtures.RgbImageNames.Select(Fixtures.Image)];
        string dataset = temp.File("ds");
        for (int i = 0; i < 2; i++)
        {
            Assert.AreEqual(0, CliRunner.Run(["embed", .. inputs, "--out", dataset, "--format", "parquet", "--shard", $"{i}/2", "-m", TinyModels.AltClip]).ExitCode);
        }

        string file = temp.File("e.jsonl");
        Assert.AreEqual(0, CliRunner.Run(["embed", .. inputs, "--out", file, "-m", TinyModels.AltClip]).ExitCode);

        CliResult fromDataset = CliRunner.Run("search", dataset, "-q", "a test pattern", "-k", "4");
        CliResult fromFile = CliRunner.Run("search", file, "-q", "a test pattern", "-k", "4");
        Assert.AreEqual(0, fromDataset.ExitCode, fromDataset.ToString());
        Assert.AreEqual(0, fromFile.ExitCode, fromFile.ToString());
        Assert.AreEqual(5, fromDataset.OutLines.Length, fromDataset.Out);
        CollectionAssert.AreEqual(fromFile.OutLines, fromDataset.OutLines);
    }

    [TestMethod]
    public void SeveralQueriesShareOneLoadAndEachGetsItsTable()
    {
        using var temp = new TempFolder();
        string[] inputs = CopyImages(temp, 5);
        string dataset = temp.File("ds");
        Assert.AreEqual(0, CliRunner.Run(["embed", .. inputs, "--out", dataset, "--format", "parquet", "-m", TinyModels.AltClip]).ExitCode);

        CliResult both = CliRunner.Run("search", dataset, "-q", "a red square", "-q", "a blue sky", "-k", "2");
        Assert.AreEqual(0, both.ExitCode, both.ToString());
        CliResult first = CliRunner.Run("search", dataset, "-q", "a red square", "-k", "2");
        CliResult second = CliRunner.Run("search", dataset, "-q", "a blue sky", "-k", "2");
        string[] expected = ["query: a red square", .. first.OutLines, "query: a blue sky", .. second.OutLines];
        CollectionAssert.AreEqual(expected, both.OutLines, both.Out);
    }

    [TestMethod]
    public void FailedInputsAreRowsWithAnErrorSkippedOnResumeUnlessRetried()
    {
        using var temp = new TempFolder();
        string broken = temp.File("broken.png");
        File.WriteAllText(broken, "not a png");
        string[] inputs = [.. CopyImages(temp, 3), broken];
        string output = temp.File("ds");
        string[] args = ["embed", .. inputs, "--out", output, "--format", "parquet", "-m", TinyModels.AltClip, "--skip-errors"];

        CliResult first = CliRunner.Run(args);
        Assert.AreEqual(0, first.ExitCode, first.ToString());
        StringAssert.Contains(first.Out, "3 embedding(s) of size 24");
        StringAssert.Contains(first.Out, "1 failed");
        DatasetRow failed = ParquetEmbeddings.Read(Path.Combine(output, "part-00000-of-00001.parquet")).Single(r => r.Path == broken);
        Assert.IsNull(failed.Embedding);
        Assert.IsFalse(string.IsNullOrEmpty(failed.Error));

        CliResult again = CliRunner.Run(args);
        StringAssert.Contains(again.Error, "1 input(s) failed in an earlier run");
        StringAssert.Contains(again.Out, "(0 new, 1 failed)");

        CliResult stopped = CliRunner.Run(["embed", .. inputs, "--out", output, "--format", "parquet", "-m", TinyModels.AltClip, "--retry-errors"]);
        Assert.AreNotEqual(0, stopped.ExitCode, "without --skip-errors the retried input stops the run");
        StringAssert.Contains(stopped.Error, "broken.png");
    }

    [TestMethod]
    public void ADatasetMadeByAnotherModelIsNotResumedOrMixed()
    {
        using var temp = new TempFolder();
        string[] inputs = CopyImages(temp, 2);
        string output = temp.File("ds");
        Assert.AreEqual(0, CliRunner.Run(["embed", .. inputs, "--out", output, "--format", "parquet", "-m", TinyModels.AltClip]).ExitCode);
        CliResult other = CliRunner.Run(["embed", .. inputs, "--out", output, "--format", "parquet", "-m", TinyModels.XClip]);
        Assert.AreEqual(2, other.ExitCode, other.ToString());
        StringAssert.Contains(other.Error, "made differently");
    }

    [TestMethod]
    [DataRow("--shard 0/2", "add --format parquet")]
    [DataRow("--format parquet --shard 2/2", "shard 2 is outside 0..1")]
    [DataRow("--format parquet --shard 0/2 --shard-from-env", "not both")]
    [DataRow("--format parquet --shard 0/2 --shard-count 2", "--shard-count goes with --shard-from-env")]
    [DataRow("--format parquet --shard-from-env", "neither JOB_COMPLETION_INDEX")]
    [DataRow("--format csv", "does not end in .csv")]
    public void BadShardOptionsAreUsageErrors(string options, string message)
    {
        using var temp = new TempFolder();
        string output = options.Contains("parquet", StringComparison.Ordinal) ? temp.File("ds") : temp.File("e.jsonl");
        CliResult result = CliRunner.Run(["embed", Fixtures.Image("rgb_97x61"), "--out", output, "-m", TinyModels.AltClip, .. options.Split(' ')]);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, message);
    }

    [TestMethod]
    public void AFileIsNotADatasetFolder()
    {
        using var temp = new TempFolder();
        string file = temp.File("e.parquet");
        File.WriteAllText(file, "x");
        CliResult result = CliRunner.Run(["embed", Fixtures.Image("rgb_97x61"), "--out", file, "--format", "parquet", "-m", TinyModels.AltClip]);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "is a file, but --format parquet writes a dataset folder");
    }

    // Every input's row is in exactly one part, with the shard its path hashes to, and equal (bit for bit) to the row of
    // the unsharded run.
    private static void AssertSameRows(string whole, string sharded, string[] inputs)
    {
        Dictionary<string, DatasetRow> expected = ParquetEmbeddings.Read(Path.Combine(whole, "part-00000-of-00001.parquet")).ToDictionary(r => r.Path);
        CollectionAssert.AreEquivalent(inputs, expected.Keys.ToArray());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (DatasetPart part in ParquetDataset.Open(sharded).Parts)
        {
            foreach (DatasetRow row in ParquetEmbeddings.Read(part.Path))
            {
                Assert.IsTrue(seen.Add(row.Path), $"'{row.Path}' is in two parts");
                Assert.AreEqual(part.Shard.Index, ShardSpec.ShardOf(row.Path, part.Shard.Count), $"'{row.Path}' is in the wrong part");
                DatasetRow reference = expected[row.Path];
                Assert.AreEqual(reference with { Embedding = null }, row with { Embedding = null });
                CollectionAssert.AreEqual(reference.Embedding, row.Embedding, row.Path);
            }
        }

        Assert.AreEqual(inputs.Length, seen.Count, "no input is missing");
    }

    private static string[] CopyImages(TempFolder temp, int count)
    {
        Directory.CreateDirectory(temp.File("media"));
        return Enumerable.Range(0, count).Select(i =>
        {
            string name = temp.File($"media/img{i:D2}.png");
            File.Copy(Fixtures.Image(Fixtures.RgbImageNames[i % Fixtures.RgbImageNames.Length]), name);
            return name;
        }).ToArray();
    }

    private static string[] CopyVideos(TempFolder temp, int count)
    {
        Directory.CreateDirectory(temp.File("media"));
        return Enumerable.Range(0, count).Select(i =>
        {
            string name = temp.File($"media/v{i:D2}.mp4");
            File.Copy(Fixtures.TestsrcVideo, name);
            return name;
        }).ToArray();
    }

    // The clip command as a separate process (the clip.dll beside the tests), so it can be killed.
    private static Process StartClip(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "clip.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start clip");
    }
}
