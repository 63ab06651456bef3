using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Clip.Tests.Tasks;

[TestClass]
public sealed class EmbeddingIndexTests
{
    [TestMethod]
    public void TopKMatchesBruteForceCosineRanking()
    {
        var random = new Random(7);
        float[][] items = Enumerable.Range(0, 300).Select(_ => Enumerable.Range(0, 33).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()).ToArray();
        float[] query = Enumerable.Range(0, 33).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var index = new EmbeddingIndex(items);

        RetrievalHit[] hits = index.Search(query, 10);

        double Cosine(float[] a) => a.Zip(query, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * query.Sum(x => (double)x * x));
        var expected = items.Select((e, i) => (Index: i, Score: Cosine(e))).OrderByDescending(h => h.Score).Take(10).ToArray();
        Assert.HasCount(10, hits);
        for (int i = 0; i < 10; i++)
        {
            Assert.AreEqual(expected[i].Index, hits[i].Index, $"rank {i}");
            Assert.AreEqual(expected[i].Score, hits[i].Score, 1e-5);
        }
    }

    [TestMethod]
    public void TiesKeepTheLowerIndexFirstAndKIsCapped()
    {
        var index = new EmbeddingIndex([[1f, 0f], [2f, 0f], [0f, 1f]]);
        RetrievalHit[] hits = index.Search([3f, 0f], 5);
        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, hits.Select(h => h.Index).ToArray());
        Assert.AreEqual(1f, hits[0].Score, 1e-6);
        Assert.AreEqual(0f, hits[2].Score, 1e-6);
    }

    [TestMethod]
    public void BatchSearchEqualsSingleSearches()
    {
        var index = new EmbeddingIndex([[1f, 0f, 0f], [0f, 1f, 0f], [0f, 0f, 1f], [1f, 1f, 0f]]);
        float[][] queries = [[0f, 1f, 0.1f], [1f, 0.2f, 0f]];
        RetrievalHit[][] batch = index.Search(queries, 2);
        for (int q = 0; q < queries.Length; q++)
        {
            CollectionAssert.AreEqual(index.Search(queries[q], 2), batch[q]);
        }
    }

    [TestMethod]
    public void WrongQueryLengthNamesBothLengths()
    {
        var index = new EmbeddingIndex([[1f, 0f]]);
        var error = Assert.ThrowsExactly<ArgumentException>(() => index.Search([1f, 0f, 0f], 1));
        StringAssert.Contains(error.Message, "2-value");
        StringAssert.Contains(error.Message, "3 values");
    }
}
