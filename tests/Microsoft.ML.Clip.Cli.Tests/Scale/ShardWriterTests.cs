using DuckDB.NET.Data;
using Microsoft.ML.Clip.Cli.Scale;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Scale;

[TestClass]
public sealed class ShardWriterTests
{
    [TestMethod]
    public void AStoppedRunResumesFromItsSegmentsAndCompletesOnePart()
    {
        using var temp = new TempFolder();
        var shard = new ShardSpec(2, 5);
        List<DatasetRow> rows = ParquetEmbeddingsTests.SampleRows(50, 8, seed: 4);
        using (ShardWriter first = ShardWriter.Open(temp.Path, shard))
        {
            first.Append(rows.GetRange(0, 10));
            first.Append(rows.GetRange(10, 10));

            // Stopped here: no Complete.
        }

        Assert.IsFalse(File.Exists(temp.File("part-00002-of-00005.parquet")));
        using (ShardWriter second = ShardWriter.Open(temp.Path, shard))
        {
            Assert.AreEqual(20, second.Rows.Count);
            Assert.AreEqual(20, second.ResumedFromSegments);
            Assert.IsNotNull(second.Find(rows[19].Path));
            Assert.IsNull(second.Find(rows[20].Path));
            second.Append(rows.GetRange(20, 30));
            second.Complete();
        }

        Assert.IsFalse(Directory.Exists(temp.File("_part-00002-of-00005.segments")), "segments are deleted once merged");
        Assert.AreEqual(50, DuckDbCount(temp.File("part-00002-of-00005.parquet"), "count(DISTINCT path)"));
        List<DatasetRow> back = ParquetEmbeddings.Read(temp.File("part-00002-of-00005.parquet"));
        CollectionAssert.AreEqual(rows.Select(r => r.Path).ToArray(), back.Select(r => r.Path).ToArray());
        Assert.AreEqual(0, Directory.GetFiles(temp.Path, "*.tmp", SearchOption.AllDirectories).Length);
    }

    [TestMethod]
    public void ACompletedPartTakesNewInputsOnTheNextRun()
    {
        using var temp = new TempFolder();
        List<DatasetRow> rows = ParquetEmbeddingsTests.SampleRows(12, 8, seed: 5);
        using (ShardWriter w = ShardWriter.Open(temp.Path, ShardSpec.All))
        {
            w.Append(rows.GetRange(0, 8));
            w.Complete();
        }

        using (ShardWriter w = ShardWriter.Open(temp.Path, ShardSpec.All))
        {
            Assert.AreEqual(8, w.Rows.Count);
            Assert.AreEqual(0, w.ResumedFromSegments);
            w.Append(rows.GetRange(8, 4));
            w.Complete();
        }

        Assert.AreEqual(12, ParquetEmbeddings.Read(temp.File("part-00000-of-00001.parquet")).Count);
    }

    [TestMethod]
    public void ACrashBetweenThePartsRenameAndTheSegmentsDeletionDuplicatesNothing()
    {
        using var temp = new TempFolder();
        List<DatasetRow> rows = ParquetEmbeddingsTests.SampleRows(6, 4, seed: 6);
        string segments = temp.File("_part-00000-of-00001.segments");
        string saved = temp.File("saved-segments");
        using (ShardWriter w = ShardWriter.Open(temp.Path, ShardSpec.All))
        {
            w.Append(rows);
            CopyFolder(segments, saved);
            w.Complete();
        }

        // As if the process died after renaming the part, before deleting its segments; plus a half-written temp.
        CopyFolder(saved, segments);
        File.WriteAllText(Path.Combine(segments, ".seg-000001.parquet.123.abc.tmp"), "half");
        using (ShardWriter w = ShardWriter.Open(temp.Path, ShardSpec.All))
        {
            Assert.AreEqual(6, w.Rows.Count);
            w.Complete();
        }

        Assert.AreEqual(6, DuckDbCount(temp.File("part-00000-of-00001.parquet"), "count(*)"));
        Assert.IsFalse(Directory.Exists(segments));
    }

    [TestMethod]
    public void ALaterRowOfTheSameInputReplacesTheEarlierOne()
    {
        using var temp = new TempFolder();
        var failed = new DatasetRow("/v/a.mp4", null, "m", "f", "video", 8, "uniform", null, "decode error");
        var retried = failed with { Embedding = [1f, 2f], Error = null };
        using (ShardWriter w = ShardWriter.Open(temp.Path, ShardSpec.All))
        {
            w.Append([failed, new DatasetRow("/v/b.mp4", [3f, 4f], "m", "f", "video", 8, "uniform", null, null)]);
            w.Complete();
        }

        using (ShardWriter w = ShardWriter.Open(temp.Path, ShardSpec.All))
        {
            w.Append([retried]);
            w.Complete();
        }

        List<DatasetRow> back = ParquetEmbeddings.Read(temp.File("part-00000-of-00001.parquet"));
        CollectionAssert.AreEqual(new[] { "/v/a.mp4", "/v/b.mp4" }, back.Select(r => r.Path).ToArray());
        Assert.IsNull(back[0].Error);
        CollectionAssert.AreEqual(new[] { 1f, 2f }, back[0].Embedding);
    }

    [TestMethod]
    public void ASecondWriterOfTheSameShardIsRefused()
    {
        using var temp = new TempFolder();
        using ShardWriter first = ShardWriter.Open(temp.Path, new ShardSpec(1, 3));
        var e = Assert.ThrowsExactly<IOException>(() => ShardWriter.Open(temp.Path, new ShardSpec(1, 3)));
        StringAssert.Contains(e.Message, "Shard 1/3");
        StringAssert.Contains(e.Message, "another process");
        using ShardWriter other = ShardWriter.Open(temp.Path, new ShardSpec(2, 3));
    }

    [TestMethod]
    public void TheLockFileIsThereWhileTheShardIsWrittenAndGoneAfter()
    {
        using var temp = new TempFolder();
        string lockFile = Path.Combine(temp.Path, ".part-00001-of-00003.lock");
        using (ShardWriter.Open(temp.Path, new ShardSpec(1, 3)))
        {
            Assert.IsTrue(File.Exists(lockFile), "held while writing");
        }

        Assert.IsFalse(File.Exists(lockFile), "a finished run leaves no lock file in the dataset");
        using ShardWriter again = ShardWriter.Open(temp.Path, new ShardSpec(1, 3));   // and the shard can be taken again
    }

    [TestMethod]
    public void TheDatasetReportsMissingAndUnfinishedShards()
    {
        using var temp = new TempFolder();
        List<DatasetRow> rows = ParquetEmbeddingsTests.SampleRows(4, 4, seed: 7);
        using (ShardWriter w = ShardWriter.Open(temp.Path, new ShardSpec(0, 3)))
        {
            w.Append(rows.GetRange(0, 2));
            w.Complete();
        }

        using (ShardWriter w = ShardWriter.Open(temp.Path, new ShardSpec(2, 3)))
        {
            w.Append(rows.GetRange(2, 2));
        }

        ParquetDataset dataset = ParquetDataset.Open(temp.Path);
        Assert.AreEqual(3, dataset.Count);
        Assert.AreEqual(1, dataset.Parts.Count);
        CollectionAssert.AreEqual(new[] { 1, 2 }, dataset.MissingShards.ToArray());
        CollectionAssert.AreEqual(new[] { 2 }, dataset.UnfinishedShards.ToArray());
        Assert.IsFalse(dataset.IsComplete);
        StringAssert.Contains(dataset.Problems(), "2 of 3 shard(s) have no part yet (1, 2)");

        File.WriteAllText(temp.File("part-00000-of-00004.parquet"), "x");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ParquetDataset.Open(temp.Path));
        StringAssert.Contains(e.Message, "mixes parts of 3 and 4 shards");
    }

    [TestMethod]
    public void AFolderWithoutPartsIsNotADataset()
    {
        using var temp = new TempFolder();
        Assert.IsFalse(ParquetDataset.IsDataset(temp.Path));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ParquetDataset.Open(temp.Path)).Message, "holds no part-i-of-N.parquet");
        StringAssert.Contains(Assert.ThrowsExactly<DirectoryNotFoundException>(() => ParquetDataset.Open(temp.File("none"))).Message, "does not exist");
    }

    [TestMethod]
    public void PartsMergedByDuckDbAreStillADatasetClipCanSearch()
    {
        // docs/scale-out.md: COPY (SELECT * FROM read_parquet('…/part-*.parquet')) TO 'embeddings.parquet' — DuckDB writes
        // its own LIST layout (nullable elements) and drops clip's key-value metadata.
        using var temp = new TempFolder();
        List<DatasetRow> rows = ParquetEmbeddingsTests.SampleRows(300, 12, seed: 8);
        for (int i = 0; i < 3; i++)
        {
            using ShardWriter w = ShardWriter.Open(temp.Path, new ShardSpec(i, 3));
            w.Append(rows.Where(r => ShardSpec.ShardOf(r.Path, 3) == i).ToList());
            w.Complete();
        }

        string merged = temp.File("merged");
        Directory.CreateDirectory(merged);
        string target = Path.Combine(merged, "part-00000-of-00001.parquet");
        using (var connection = new DuckDBConnection("Data Source=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"COPY (SELECT * FROM read_parquet('{temp.Path}/part-*.parquet') ORDER BY path) TO '{target}' (FORMAT parquet, ROW_GROUP_SIZE 100)";
            command.ExecuteNonQuery();
        }

        Dictionary<string, DatasetRow> back = ParquetEmbeddings.Read(target).ToDictionary(r => r.Path);
        Assert.AreEqual(rows.Count, back.Count);
        foreach (DatasetRow row in rows)
        {
            Assert.AreEqual(row with { Embedding = null }, back[row.Path] with { Embedding = null });
            CollectionAssert.AreEqual(row.Embedding, back[row.Path].Embedding, row.Path);
        }

        Assert.AreEqual(12, DatasetIndex.Load([target]).Dimension);
    }

    private static long DuckDbCount(string path, string what)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {what} FROM read_parquet('{path}')";
        return Convert.ToInt64(command.ExecuteScalar());
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }
}
