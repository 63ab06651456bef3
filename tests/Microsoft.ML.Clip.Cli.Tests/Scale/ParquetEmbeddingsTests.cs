using DuckDB.NET.Data;
using Microsoft.ML.Clip.Cli.Scale;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Scale;

[TestClass]
public sealed class ParquetEmbeddingsTests
{
    [TestMethod]
    public void DuckDbReadsEveryValueBack()
    {
        using var temp = new TempFolder();
        List<DatasetRow> rows = SampleRows(1000, 24, seed: 1);
        string path = temp.File("part-00000-of-00001.parquet");
        using (var stream = File.Create(path))
        {
            ParquetEmbeddings.Write(stream, rows, new Dictionary<string, string> { ["clip.shard"] = "0/1" }, rowGroupSize: 300);
        }

        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT path, embedding, model, fingerprint, kind, frames, sampling, template, error FROM read_parquet('{path}')";
        using var reader = command.ExecuteReader();
        int i = 0;
        while (reader.Read())
        {
            DatasetRow expected = rows[i];
            Assert.AreEqual(expected.Path, reader.GetString(0));
            if (expected.Embedding is null)
            {
                Assert.IsTrue(reader.IsDBNull(1), $"row {i}: a failed input has a null embedding");
            }
            else
            {
                var actual = reader.GetFieldValue<List<float>>(1);
                CollectionAssert.AreEqual(expected.Embedding, actual, $"row {i}");
            }

            Assert.AreEqual(expected.Model, reader.GetString(2));
            Assert.AreEqual(expected.Fingerprint, reader.GetString(3));
            Assert.AreEqual(expected.Kind, reader.GetString(4));
            Assert.AreEqual(expected.Frames, reader.IsDBNull(5) ? null : reader.GetInt32(5), $"row {i}");
            Assert.AreEqual(expected.Sampling, reader.IsDBNull(6) ? null : reader.GetString(6));
            Assert.AreEqual(expected.Template, reader.IsDBNull(7) ? null : reader.GetString(7));
            Assert.AreEqual(expected.Error, reader.IsDBNull(8) ? null : reader.GetString(8));
            i++;
        }

        Assert.AreEqual(rows.Count, i);
    }

    [TestMethod]
    public void DuckDbSeesTheStandardListTypeAndTheMetadata()
    {
        using var temp = new TempFolder();
        string path = temp.File("p.parquet");
        using (var stream = File.Create(path))
        {
            ParquetEmbeddings.Write(stream, SampleRows(10, 512, seed: 2));
        }

        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{path}'))";
        var types = new Dictionary<string, string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                types[reader.GetString(0)] = reader.GetString(1);
            }
        }

        Assert.AreEqual("FLOAT[]", types["embedding"]);
        Assert.AreEqual("VARCHAR", types["path"]);
        Assert.AreEqual("INTEGER", types["frames"]);

        command.CommandText = $"SELECT CAST(value AS VARCHAR) FROM parquet_kv_metadata('{path}') WHERE CAST(key AS VARCHAR) = 'clip.dimension'";
        Assert.AreEqual("512", command.ExecuteScalar());

        // The documented cast to a fixed-size array and DuckDB's cosine agree with ours.
        command.CommandText = $"SELECT array_cosine_similarity(embedding::FLOAT[512], embedding::FLOAT[512]) FROM read_parquet('{path}') WHERE embedding IS NOT NULL LIMIT 1";
        Assert.AreEqual(1.0, Convert.ToDouble(command.ExecuteScalar()), 1e-6);
    }

    [TestMethod]
    public void OurReaderReadsWhatItWrote()
    {
        using var temp = new TempFolder();
        List<DatasetRow> rows = SampleRows(777, 16, seed: 3);
        string path = temp.File("p.parquet");
        using (var stream = File.Create(path))
        {
            ParquetEmbeddings.Write(stream, rows, rowGroupSize: 100);
        }

        List<DatasetRow> back = ParquetEmbeddings.Read(path);
        Assert.AreEqual(rows.Count, back.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(rows[i] with { Embedding = null }, back[i] with { Embedding = null }, $"row {i}");
            if (rows[i].Embedding is null)
            {
                Assert.IsNull(back[i].Embedding);
            }
            else
            {
                CollectionAssert.AreEqual(rows[i].Embedding, back[i].Embedding, $"row {i}");
            }
        }
    }

    [TestMethod]
    public void ColumnsAreWrittenUncompressed()
    {
        // Embeddings are float noise that Snappy does not shrink, and decoding it took half of `clip search`'s load time.
        using var temp = new TempFolder();
        string path = temp.File("p.parquet");
        using (var stream = File.Create(path))
        {
            ParquetEmbeddings.Write(stream, SampleRows(50, 16, seed: 4), rowGroupSize: 20);
        }

        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT DISTINCT CAST(compression AS VARCHAR) FROM parquet_metadata('{path}')";
        var codecs = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                codecs.Add(reader.GetString(0));
            }
        }

        CollectionAssert.AreEqual(new[] { "UNCOMPRESSED" }, codecs);
    }

    [TestMethod]
    public void SnappyFilesStillRead()
    {
        // Parts written before (Snappy) or rewritten by another tool (here DuckDB, which drops clip's metadata).
        using var temp = new TempFolder();
        List<DatasetRow> rows = SampleRows(300, 16, seed: 5);
        string plain = temp.File("plain.parquet"), snappy = temp.File("snappy.parquet");
        using (var stream = File.Create(plain))
        {
            ParquetEmbeddings.Write(stream, rows, rowGroupSize: 64);
        }

        using (var connection = new DuckDBConnection("Data Source=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"COPY (SELECT * FROM read_parquet('{plain}')) TO '{snappy}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 100)";
            command.ExecuteNonQuery();
            command.CommandText = $"SELECT DISTINCT CAST(compression AS VARCHAR) FROM parquet_metadata('{snappy}')";
            Assert.AreEqual("SNAPPY", command.ExecuteScalar());
        }

        List<DatasetRow> back = ParquetEmbeddings.Read(snappy);
        Assert.AreEqual(rows.Count, back.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(rows[i].Path, back[i].Path, $"row {i}");
            if (rows[i].Embedding is null)
            {
                Assert.IsNull(back[i].Embedding, $"row {i}");
            }
            else
            {
                CollectionAssert.AreEqual(rows[i].Embedding, back[i].Embedding, $"row {i}");
            }
        }
    }

    [TestMethod]
    public void AnEmptyFileIsValid()
    {
        using var temp = new TempFolder();
        string path = temp.File("p.parquet");
        using (var stream = File.Create(path))
        {
            ParquetEmbeddings.Write(stream, []);
        }

        Assert.AreEqual(0, ParquetEmbeddings.Read(path).Count);
    }

    [TestMethod]
    public void RefusesAFileOfAnotherSchema()
    {
        using var temp = new TempFolder();
        string path = temp.File("other.parquet");
        using (var connection = new DuckDBConnection("Data Source=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"COPY (SELECT 'a' AS name, 1 AS x) TO '{path}' (FORMAT parquet)";
            command.ExecuteNonQuery();
        }

        var e = Assert.ThrowsExactly<InvalidDataException>(() => ParquetEmbeddings.Read(path));
        StringAssert.Contains(e.Message, "has no 'path' column");
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void RefusesAFileThatIsNotParquet()
    {
        using var temp = new TempFolder();
        string path = temp.File("bad.parquet");
        File.WriteAllText(path, "not parquet at all");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ParquetEmbeddings.Read(path));
        StringAssert.Contains(e.Message, path);
    }

    /// <summary>Rows with embeddings, every 7th a failure (null embedding and an error), every 5th a text (no frames).</summary>
    internal static List<DatasetRow> SampleRows(int count, int dimension, int seed, string prefix = "/videos/v")
    {
        var random = new Random(seed);
        var rows = new List<DatasetRow>(count);
        for (int i = 0; i < count; i++)
        {
            bool failed = i % 7 == 3;
            bool text = i % 5 == 1;
            float[]? embedding = failed ? null : Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            rows.Add(new DatasetRow(
                $"{prefix}{i} é.mp4",
                embedding,
                "microsoft/xclip-base-patch32",
                "sha256:abc",
                text ? "text" : "video",
                text ? null : 8,
                text ? null : "uniform",
                text ? "a photo of {}." : null,
                failed ? $"ffprobe: '{prefix}{i}' is not a video" : null));
        }

        return rows;
    }
}
