using Microsoft.ML.Clip.Cli.Scale;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;
using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Clip.Cli.Tests.Scale;

[TestClass]
public sealed class DatasetIndexTests
{
    [TestMethod]
    public void FindsWhatTheInMemoryIndexFindsAcrossPartsAndRowGroups()
    {
        using var temp = new TempFolder();
        var all = new List<DatasetRow>();
        string[] files = new string[3];
        for (int part = 0; part < 3; part++)
        {
            List<DatasetRow> rows = ParquetEmbeddingsTests.SampleRows(700, 32, seed: 10 + part, prefix: $"/p{part}/v");
            files[part] = temp.File(new ShardSpec(part, 3).PartFileName);
            using var stream = File.Create(files[part]);
            ParquetEmbeddings.Write(stream, rows, rowGroupSize: 128);
            all.AddRange(rows);
        }

        DatasetIndex index = DatasetIndex.Load(files);
        List<DatasetRow> searchable = all.Where(r => r.Embedding is not null).ToList();
        Assert.AreEqual(searchable.Count, index.Count);
        Assert.AreEqual(all.Count - searchable.Count, index.Skipped);
        Assert.AreEqual(32, index.Dimension);
        Assert.AreEqual(1, index.Provenances.Count(p => p.Frames == 8));

        var reference = new EmbeddingIndex(searchable.Select(r => r.Embedding!).ToList());
        var random = new Random(99);
        for (int q = 0; q < 5; q++)
        {
            float[] query = Enumerable.Range(0, 32).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            RetrievalHit[] expected = reference.Search(query, 25);
            DatasetHit[] actual = index.Search(query, 25);
            Assert.AreEqual(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.AreEqual(searchable[expected[i].Index].Path, actual[i].Path, $"query {q} rank {i}");
                Assert.AreEqual(expected[i].Score, actual[i].Score, 1e-6f);
            }
        }
    }

    [TestMethod]
    public void ScoresAreTheCosineForEverySize()
    {
        // Sizes below, at and past whole vectors (any Vector<float> width up to 16), so the vector loop and its scalar tail both count.
        foreach (int dimension in new[] { 1, 3, 16, 37, 64, 512 })
        {
            using var temp = new TempFolder();
            List<DatasetRow> rows = ParquetEmbeddingsTests.SampleRows(40, dimension, seed: dimension);
            string file = temp.File("part-00000-of-00001.parquet");
            using (var stream = File.Create(file))
            {
                ParquetEmbeddings.Write(stream, rows);
            }

            DatasetIndex index = DatasetIndex.Load([file]);
            float[] query = ParquetEmbeddingsTests.SampleRows(1, dimension, seed: 1000 + dimension)[0].Embedding!;
            foreach (DatasetHit hit in index.Search(query, 40))
            {
                float[] row = rows.Single(r => r.Path == hit.Path).Embedding!;
                double dot = 0, rowNorm = 0, queryNorm = 0;
                for (int i = 0; i < dimension; i++)
                {
                    dot += (double)row[i] * query[i];
                    rowNorm += (double)row[i] * row[i];
                    queryNorm += (double)query[i] * query[i];
                }

                Assert.AreEqual(dot / Math.Sqrt(rowNorm * queryNorm), hit.Score, 2e-6, $"{dimension} values, '{hit.Path}'");
            }
        }
    }

    [TestMethod]
    public void LeavesOutNonFiniteEmbeddingsAndBreaksTiesByPosition()
    {
        using var temp = new TempFolder();
        string file = temp.File("p.parquet");
        DatasetRow Row(string path, float[]? e) => new(path, e, "m", "f", "image", null, null, null, e is null ? "failed" : null);
        using (var stream = File.Create(file))
        {
            ParquetEmbeddings.Write(stream, [
                Row("nan", [float.NaN, 1f]), Row("b", [2f, 0f]), Row("null", null), Row("a", [1f, 0f]), Row("inf", [float.PositiveInfinity, 0f]), Row("c", [0f, 1f]),
            ], rowGroupSize: 2);
        }

        DatasetIndex index = DatasetIndex.Load([file]);
        Assert.AreEqual(3, index.Count);
        Assert.AreEqual(3, index.Skipped);
        DatasetHit[] hits = index.Search([1f, 0f], 10);
        CollectionAssert.AreEqual(new[] { "b", "a", "c" }, hits.Select(h => h.Path).ToArray(), "equal scores: the earlier row first");
        Assert.AreEqual(1f, hits[0].Score, 1e-7f);
        Assert.AreEqual(0f, hits[2].Score, 1e-7f);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => index.Search([1f, 0f, 0f], 1)).Message, "2-value embeddings, the query has 3");
    }

    [TestMethod]
    public void RefusesPartsOfDifferentSizes()
    {
        using var temp = new TempFolder();
        string a = temp.File("a.parquet");
        string b = temp.File("b.parquet");
        using (var s = File.Create(a))
        {
            ParquetEmbeddings.Write(s, ParquetEmbeddingsTests.SampleRows(5, 8, 1));
        }

        using (var s = File.Create(b))
        {
            ParquetEmbeddings.Write(s, ParquetEmbeddingsTests.SampleRows(5, 16, 1));
        }

        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => DatasetIndex.Load([a, b])).Message, "different models");
    }
}
