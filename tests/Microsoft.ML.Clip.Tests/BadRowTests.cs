using Microsoft.ML.Clip.Tests.Fakes;
using Microsoft.ML.Data;

namespace Microsoft.ML.Clip.Tests;

[TestClass]
public sealed class BadRowTests
{
    private static readonly VideoRow[] Rows =
    [
        new() { Video = "cat.mp4" },
        new() { Video = "dog.mp4" },
        new() { Video = "clips/missing_dog.mp4" },
        new() { Video = "bird.mp4" },
        new() { Video = "" },
    ];

    [TestMethod]
    public void MissingFileFailsNamingTheRowAndItsValue()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows);
        IDataView output = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("E", "Video", new FakeModelLoader(), batchSize: 4)).Fit(data).Transform(data);

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => output.GetColumn<float[]>("E").ToArray());

        StringAssert.Contains(error.Message, "row 2 of input column 'Video'");
        StringAssert.Contains(error.Message, "'clips/missing_dog.mp4'");
        StringAssert.Contains(error.Message, "SkipBadRows");
        Assert.IsInstanceOfType<FileNotFoundException>(error.InnerException);
    }

    [TestMethod]
    public void EmptyPathFailsNamingTheRow()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows.Skip(3));
        IDataView output = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("E", "Video", new FakeModelLoader())).Fit(data).Transform(data);

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => output.GetColumn<float[]>("E").ToArray());
        StringAssert.Contains(error.Message, "row 1 of input column 'Video'");
        StringAssert.Contains(error.Message, "the path is empty");
    }

    [TestMethod]
    public void SkipBadRowsEmitsNaNForBadRowsAndKeepsTheOthers()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows);
        IDataView output = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("E", "Video", new FakeModelLoader(), batchSize: 4, skipBadRows: true)).Fit(data).Transform(data);

        float[][] embeddings = output.GetColumn<float[]>("E").ToArray();

        Assert.HasCount(5, embeddings);
        CollectionAssert.AreEqual(FakeEmbedding.OfFile("cat.mp4"), embeddings[0]);
        CollectionAssert.AreEqual(FakeEmbedding.OfFile("dog.mp4"), embeddings[1]);
        Assert.IsTrue(embeddings[2].All(float.IsNaN));
        CollectionAssert.AreEqual(FakeEmbedding.OfFile("bird.mp4"), embeddings[3]);
        Assert.IsTrue(embeddings[4].All(float.IsNaN));
    }

    [TestMethod]
    public void ModelLoadFailureIsNotBlamedOnARow()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows);
        var estimator = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("E", "Video", new ModelLoadingTests.FailingLoader(), skipBadRows: true));

        var error = Assert.ThrowsExactly<DirectoryNotFoundException>(() => estimator.Fit(data).Transform(data).GetColumn<float[]>("E").ToArray());
        StringAssert.Contains(error.Message, "fake-xclip");
    }

    [TestMethod]
    public void InvalidOptionsAreRejectedUpFront()
    {
        var ml = new MLContext(seed: 1);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("E", "Video", new FakeModelLoader(), batchSize: 0)));
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.XClipVideoEmbedding("E", " "));
        StringAssert.Contains(error.Message, "ModelPath");
    }
}
