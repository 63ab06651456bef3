using Microsoft.ML.Clip.Tests.Fakes;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Tests;

[TestClass]
public sealed class PersistenceTests
{
    private static readonly VideoRow[] Videos =
    [
        new() { Video = "v/cat.mp4", Label = "a cat" },
        new() { Video = "v/dog.mp4", Label = "a dog" },
        new() { Video = "v/bird.mp4", Label = "a bird" },
    ];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void TransformerSaveLoadRoundTripGivesIdenticalOutputs()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var options = ZeroShotTests.Options(new FakeModelLoader());
        options.Templates = ["a video of {}", "a clip of {}"];
        options.SkipBadRows = true;
        ZeroShotClassifier original = ml.Transforms.ZeroShotClassification(options).Fit(data);
        string path = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"zs-{Guid.NewGuid():N}.json");

        original.Save(path);
        var loaded = (ZeroShotClassifier)ClipTransformerBase.Load(path, new FakeModelLoader());

        CollectionAssert.AreEqual(original.Labels.ToArray(), loaded.Labels.ToArray());
        CollectionAssert.AreEqual(original.Templates.ToArray(), loaded.Templates.ToArray());
        Assert.AreEqual(original.BatchSize, loaded.BatchSize);
        Assert.IsTrue(loaded.SkipBadRows);
        AssertSameOutputs(original.Transform(data), loaded.Transform(data), "Score");
        File.Delete(path);
    }

    [TestMethod]
    public void PipelineOfClipTransformersRoundTripsThroughClipModelPersistence()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var loader = new FakeModelLoader();
        var pipeline = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("V", "Video", loader, batchSize: 2))
            .Append(ml.Transforms.XClipTextEmbedding(new XClipTextFeaturizerEstimator.Options { OutputColumnName = "T", InputColumnName = "Label", ModelPath = "fake", ModelLoader = loader }));
        var model = pipeline.Fit(data);
        string path = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"pipeline-{Guid.NewGuid():N}.zip");

        ClipModelPersistence.Save(ml, model, data.Schema, path);
        var loaded = ClipModelPersistence.Load(ml, path, out DataViewSchema inputSchema, new FakeModelLoader());

        CollectionAssert.AreEqual(new[] { "Video", "Label" }, inputSchema.Select(c => c.Name).ToArray());
        Assert.AreEqual(TextDataViewType.Instance, inputSchema["Video"].Type);
        Assert.HasCount(2, loaded.ToArray());
        Assert.AreEqual(2, ((XClipVideoFeaturizer)loaded.First()).BatchSize);
        AssertSameOutputs(model.Transform(data), loaded.Transform(data), "V");
        AssertSameOutputs(model.Transform(data), loaded.Transform(data), "T");
        File.Delete(path);
    }

    [TestMethod]
    public void MLNetModelSaveFailsWithAMessageSayingWhatToDoInstead()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var model = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("V", "Video", new FakeModelLoader())).Fit(data);
        var chain = new TransformerChain<ITransformer>(model);

        Exception error = Assert.Throws<Exception>(() => ml.Model.Save(chain, data.Schema, new MemoryStream()));

        string messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        StringAssert.Contains(messages, "XClipVideoFeaturizer cannot be saved with mlContext.Model.Save");
        StringAssert.Contains(messages, "ClipModelPersistence.Save(mlContext, model, inputSchema, path)");
    }

    [TestMethod]
    public void LoadingSomethingElseFailsClearly()
    {
        var ml = new MLContext(seed: 1);
        var notZip = new MemoryStream([1, 2, 3]);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ClipModelPersistence.Load(ml, notZip, out _));
        StringAssert.Contains(error.Message, "not a pipeline saved by ClipModelPersistence.Save");

        var notState = new MemoryStream(System.Text.Encoding.UTF8.GetBytes("{\"Format\": \"something\"}"));
        var stateError = Assert.ThrowsExactly<InvalidDataException>(() => ClipTransformerBase.Load(notState));
        StringAssert.Contains(stateError.Message, "not a saved Microsoft.ML.Clip transformer");
    }

    internal static void AssertSameOutputs(IDataView expected, IDataView actual, string column)
    {
        float[][] a = expected.GetColumn<float[]>(column).ToArray();
        float[][] b = actual.GetColumn<float[]>(column).ToArray();
        Assert.HasCount(a.Length, b);
        for (int i = 0; i < a.Length; i++)
        {
            CollectionAssert.AreEqual(a[i], b[i], $"{column} row {i}");
        }
    }

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
