using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Cli.Scale;

namespace Microsoft.ML.Clip.Cli.Tests.Scale;

[TestClass]
public sealed class ShardSpecTests
{
    // The published test vectors of jump consistent hashing (Lamping & Veach's algorithm as the Go, Python and Elixir
    // ports test it).
    [TestMethod]
    [DataRow(1UL, 1, 0)]
    [DataRow(42UL, 57, 43)]
    [DataRow(0xDEAD10CCUL, 1, 0)]
    [DataRow(0xDEAD10CCUL, 666, 361)]
    [DataRow(256UL, 1024, 520)]
    [DataRow(1UL, 128, 55)]
    [DataRow(129UL, 128, 120)]
    [DataRow(128UL, 100000000, 38172097)]
    [DataRow(18446744073709551615UL, 128, 92)]
    public void JumpHashMatchesPublishedVectors(ulong key, int buckets, int expected) =>
        Assert.AreEqual(expected, ShardSpec.JumpConsistentHash(key, buckets));

    // Computed with Python's hashlib and the paper's loop (the recipe in ShardSpec's remarks), so any language can
    // reproduce the split: h = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little").
    [TestMethod]
    [DataRow("/data/videos/a.mp4", 0xc92be54f7b808dabUL, 6, 247)]
    [DataRow("/data/videos/b.mp4", 0xe08b22211641a328UL, 1, 544)]
    [DataRow("vidéo ü.mp4", 0xa02e8d8b6999b227UL, 12, 238)]
    [DataRow("", 0x141cfc9842c4b0e3UL, 8, 230)]
    public void ShardOfMatchesThePythonRecipe(string key, ulong hash, int of16, int of1000)
    {
        Assert.AreEqual(hash, ShardSpec.StableHash(key));
        Assert.AreEqual(of16, ShardSpec.ShardOf(key, 16));
        Assert.AreEqual(of1000, ShardSpec.ShardOf(key, 1000));
    }

    [TestMethod]
    public void EveryKeyHasExactlyOneShardAndTheSplitIsEven()
    {
        string[] keys = Enumerable.Range(0, 20000).Select(i => $"/videos/{i / 100}/clip{i}.mp4").ToArray();
        const int n = 8;
        int[] sizes = new int[n];
        foreach (string key in keys)
        {
            int owners = Enumerable.Range(0, n).Count(i => new ShardSpec(i, n).Owns(key));
            Assert.AreEqual(1, owners, key);
            sizes[ShardSpec.ShardOf(key, n)]++;
        }

        // 2500 expected per shard; the binomial standard deviation is ~47, so ±250 is over 5 sigma.
        foreach (int size in sizes)
        {
            Assert.IsTrue(Math.Abs(size - 2500) < 250, $"shard sizes {string.Join(", ", sizes)}");
        }
    }

    [TestMethod]
    public void GrowingTheShardCountMovesInputsOnlyIntoTheNewShard()
    {
        string[] keys = Enumerable.Range(0, 10000).Select(i => $"s3://bucket/v{i}.mp4").ToArray();
        int moved = 0;
        foreach (string key in keys)
        {
            int before = ShardSpec.ShardOf(key, 10);
            int after = ShardSpec.ShardOf(key, 11);
            if (before != after)
            {
                Assert.AreEqual(10, after, $"'{key}' moved from {before} to {after}, not into the new shard");
                moved++;
            }
        }

        // 1/11 of 10000 = 909 expected.
        Assert.IsTrue(moved is > 750 and < 1070, $"{moved} inputs moved");
    }

    [TestMethod]
    [DataRow("0/1", 0, 1)]
    [DataRow("3/16", 3, 16)]
    [DataRow(" 15 / 16 ", 15, 16)]
    public void ParsesIndexOverCount(string text, int index, int count) =>
        Assert.AreEqual(new ShardSpec(index, count), ShardSpec.Parse(text));

    [TestMethod]
    [DataRow("3", "expects i/N")]
    [DataRow("a/4", "expects i/N")]
    [DataRow("-1/4", "expects i/N")]
    [DataRow("4/4", "shard 4 is outside 0..3")]
    [DataRow("0/0", "at least 1, not 0")]
    [DataRow("1/2/3", "expects i/N")]
    public void RefusesBadShards(string text, string message)
    {
        var e = Assert.ThrowsExactly<UsageException>(() => ShardSpec.Parse(text));
        StringAssert.Contains(e.Message, message);
    }

    [TestMethod]
    public void ReadsKubernetesIndexWithTheCountFromTheFlag()
    {
        var env = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "7", ["SLURM_ARRAY_TASK_ID"] = "2" };
        Assert.AreEqual(new ShardSpec(7, 10), ShardSpec.FromEnvironment(Env(env), 10));
    }

    [TestMethod]
    public void ReadsSlurmIdAndItsCount()
    {
        var env = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "5", ["SLURM_ARRAY_TASK_COUNT"] = "8" };
        Assert.AreEqual(new ShardSpec(5, 8), ShardSpec.FromEnvironment(Env(env), null));

        // A resubmission of some tasks (--array=5,17) has a task count of 2: --shard-count gives the real N.
        var rerun = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "17", ["SLURM_ARRAY_TASK_COUNT"] = "2" };
        Assert.AreEqual(new ShardSpec(17, 20), ShardSpec.FromEnvironment(Env(rerun), 20), "--shard-count wins over the array size");
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => ShardSpec.FromEnvironment(Env(rerun), null)).Message, "--shard-count");
    }

    [TestMethod]
    public void EnvironmentErrorsNameTheVariables()
    {
        var none = new Dictionary<string, string>();
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => ShardSpec.FromEnvironment(Env(none), 4)).Message, "neither JOB_COMPLETION_INDEX");

        var noCount = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "1" };
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => ShardSpec.FromEnvironment(Env(noCount), null)).Message, "--shard-count");

        var garbage = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "x1" };
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => ShardSpec.FromEnvironment(Env(garbage), 4)).Message, "JOB_COMPLETION_INDEX is 'x1'");

        var tooBig = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "12", ["SLURM_ARRAY_TASK_COUNT"] = "4" };
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => ShardSpec.FromEnvironment(Env(tooBig), null)).Message, "--array=0-3");
    }

    [TestMethod]
    public void PartFileNamesSortInShardOrder() =>
        Assert.AreEqual("part-00003-of-00016.parquet", new ShardSpec(3, 16).PartFileName);

    private static Func<string, string?> Env(Dictionary<string, string> values) =>
        name => values.TryGetValue(name, out string? v) ? v : null;
}
