// The adapter inside whole ML.NET pipelines: ML.NET's own transforms, trainers and evaluators.
using Microsoft.ML.Clip.Tests.Fakes;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Tests.Pipelines;

[TestClass]
public sealed class RealMLNetPipelineTests
{
    private static readonly string[] Classes = ["cat", "dog", "bird"];

    private static readonly VideoRow[] Train = Enumerable.Range(0, 3)
        .SelectMany(i => Classes.Select(c => new VideoRow { Video = $"train/{c}_{new string('x', i)}.mp4", Label = c }))
        .ToArray();

    private static readonly VideoRow[] Test = Classes
        .Select(c => new VideoRow { Video = $"test/{c}_yyyy.mp4", Label = c })
        .ToArray();

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void FewShotVideoEmbeddingToMapValueToKeyToLbfgsMaximumEntropy()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Train);
        IDataView test = ml.Data.LoadFromEnumerable(Test);

        var pipeline = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("Features", "Video", new FakeModelLoader(), batchSize: 4))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .AppendCacheCheckpoint(ml) // the trainer makes many passes: embed each video once
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(labelColumnName: "Label", featureColumnName: "Features", l1Regularization: 0f, l2Regularization: 0.01f));
        var model = pipeline.Fit(train);
        IDataView scored = model.Transform(test);

        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "Label");
        Assert.AreEqual(1.0, metrics.MicroAccuracy, 1e-9);

        var readable = model.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(scored));
        string[] predicted = ml.Data.CreateEnumerable<LabelPrediction>(readable.Transform(test), reuseRowObject: false).Select(p => p.PredictedLabel).ToArray();
        CollectionAssert.AreEqual(Classes, predicted);
    }

    [TestMethod]
    public void ZeroShotOutputEvaluatesWithMulticlassClassificationEvaluate()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Test);

        // The key order of Label must follow the zero-shot labels: give MapValueToKey those labels as key data.
        IDataView keyData = ml.Data.LoadFromEnumerable(Classes.Select(c => new LabelOnly { Label = c }));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keyData)
            .Append(ml.Transforms.ZeroShotClassification(ZeroShotTests.Options(new FakeModelLoader())));
        IDataView scored = pipeline.Fit(data).Transform(data);

        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "Label", scoreColumnName: "Score", predictedLabelColumnName: "PredictedLabel");
        Assert.AreEqual(1.0, metrics.MicroAccuracy, 1e-9);
        Assert.AreEqual(3, metrics.ConfusionMatrix.NumberOfClasses);
    }

    [TestMethod]
    public void MixedPipelineRoundTripsThroughClipModelPersistence()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Train);
        IDataView test = ml.Data.LoadFromEnumerable(Test);
        var model = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("Features", "Video", new FakeModelLoader()))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(l1Regularization: 0f, l2Regularization: 0.01f))
            .Fit(train);
        string path = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"fewshot-{Guid.NewGuid():N}.zip");

        ClipModelPersistence.Save(ml, model, train.Schema, path);
        var loaded = ClipModelPersistence.Load(ml, path, out DataViewSchema inputSchema, new FakeModelLoader());

        CollectionAssert.AreEqual(new[] { "Video", "Label" }, inputSchema.Select(c => c.Name).ToArray());
        PersistenceTests.AssertSameOutputs(model.Transform(test), loaded.Transform(test), "Score");
        File.Delete(path);
    }

    [TestMethod]
    public void MLNetModelSaveOfAMixedChainSaysWhatToUseInstead()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Train);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("Features", "Video", new FakeModelLoader())))
            .Fit(train);

        Exception error = Assert.Throws<Exception>(() => ml.Model.Save(model, train.Schema, new MemoryStream()));

        string messages = string.Join(" | ", Enumerable.Repeat(error, 1).Concat(Inner(error)).Select(e => e.Message));
        StringAssert.Contains(messages, "ClipModelPersistence.Save");
        Assert.IsFalse(messages.StartsWith("ModelSignature not specified", StringComparison.Ordinal));
    }

    [TestMethod]
    public void PredictionEngineRunsTheFewShotPipeline()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Train);
        var model = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("Features", "Video", new FakeModelLoader()))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(l1Regularization: 0f, l2Regularization: 0.01f))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        var engine = ml.Model.CreatePredictionEngine<VideoRow, LabelPrediction>(model);

        Assert.AreEqual("dog", engine.Predict(new VideoRow { Video = "new/dog_zz.mp4" }).PredictedLabel);
    }

    private static IEnumerable<Exception> Inner(Exception e)
    {
        for (Exception? i = e.InnerException; i is not null; i = i.InnerException)
        {
            yield return i;
        }
    }

    public sealed class LabelPrediction
    {
        public string PredictedLabel { get; set; } = string.Empty;
    }

    public sealed class LabelOnly
    {
        public string Label { get; set; } = string.Empty;
    }
}
