using Microsoft.ML.Clip.Tests.Fakes;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Tests;

[TestClass]
public sealed class ZeroShotTests
{
    private static readonly string[] Labels = ["cat", "dog", "bird"];

    private static readonly VideoRow[] Videos =
    [
        new() { Video = "v/cat.mp4" },
        new() { Video = "v/dog_run.mp4" },
        new() { Video = "v/bird.mp4" },
        new() { Video = "v/a_dog.mp4" },
    ];

    [TestMethod]
    public void ScoreAndPredictedLabelFollowMLNetsMulticlassConventions()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var estimator = ml.Transforms.ZeroShotClassification(Options(new FakeModelLoader()));

        IDataView output = estimator.Fit(data).Transform(data);

        DataViewSchema.Column score = output.Schema["Score"];
        DataViewSchema.Column predicted = output.Schema["PredictedLabel"];
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3), score.Type);
        Assert.AreEqual(new KeyDataViewType(typeof(uint), 3), predicted.Type);
        VBuffer<ReadOnlyMemory<char>> names = default;
        score.Annotations.GetValue("SlotNames", ref names);
        CollectionAssert.AreEqual(Labels, names.DenseValues().Select(n => n.ToString()).ToArray());
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        predicted.Annotations.GetValue("KeyValues", ref keyValues);
        CollectionAssert.AreEqual(Labels, keyValues.DenseValues().Select(n => n.ToString()).ToArray());

        uint[] keys = output.GetColumn<uint>("PredictedLabel").ToArray();
        CollectionAssert.AreEqual(new uint[] { 1, 2, 3, 2 }, keys, "keys are 1-based indices into the labels");
    }

    [TestMethod]
    public void ScoresAreTheSoftmaxOfScaledCosinesAgainstPromptEmbeddings()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos.Take(1));
        float[] score = ml.Transforms.ZeroShotClassification(Options(new FakeModelLoader())).Fit(data).Transform(data).GetColumn<float[]>("Score").Single();

        float[] video = Microsoft.ML.Clip.Tasks.EmbeddingMath.Normalized(FakeEmbedding.OfFile("v/cat.mp4"));
        double[] logits = Labels.Select(l =>
        {
            float[] t = Microsoft.ML.Clip.Tasks.EmbeddingMath.Normalized(FakeEmbedding.Of($"a video of {l}"));
            return FakeModelLoader.LogitScale * (double)video.Zip(t, (a, b) => a * b).Sum();
        }).ToArray();
        double total = logits.Sum(Math.Exp);
        for (int c = 0; c < 3; c++)
        {
            Assert.AreEqual(Math.Exp(logits[c]) / total, score[c], 1e-5, Labels[c]);
        }
    }

    [TestMethod]
    public void ShapeCarriesKeyAndSlotAnnotationsForDownstreamEstimators()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.Transforms.XClipZeroShotClassification("fake", Labels);
        SchemaShape shape = estimator.GetOutputSchema(FeaturizerTests.InputShape(ml));

        SchemaShape.Column predicted = shape.Single(c => c.Name == "PredictedLabel");
        Assert.IsTrue(predicted.IsKey);
        Assert.AreEqual(SchemaShape.Column.VectorKind.Scalar, predicted.Kind);
        Assert.IsTrue(predicted.Annotations.Any(a => a.Name == "KeyValues"));
        SchemaShape.Column score = shape.Single(c => c.Name == "Score");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, score.Kind);
        Assert.IsTrue(score.Annotations.Any(a => a.Name == "SlotNames"));
    }

    [TestMethod]
    public void PredictionEngineGivesTheSameScoresAsTransform()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var transformer = ml.Transforms.ZeroShotClassification(Options(new FakeModelLoader())).Fit(data);
        float[][] scores = transformer.Transform(data).GetColumn<float[]>("Score").ToArray();
        var engine = ml.Model.CreatePredictionEngine<VideoRow, ScoredRow>(transformer);

        for (int i = 0; i < Videos.Length; i++)
        {
            ScoredRow prediction = engine.Predict(Videos[i]);
            CollectionAssert.AreEqual(scores[i], prediction.Score, $"row {i}");
        }

        Assert.AreEqual(2u, engine.Predict(Videos[3]).PredictedLabel);
    }

    [TestMethod]
    public void AltClipZeroShotUsesPhotoPromptsAndImageInputs()
    {
        var ml = new MLContext(seed: 1);
        var images = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "img/bird.png" }, new TextRow { Text = "img/cat.png" } });
        var estimator = ml.Transforms.AltClipZeroShotClassification("fake", Labels, inputColumnName: "Text");
        var options = Options(new FakeModelLoader());
        options.Family = ClipModelFamily.AltClip;
        options.InputColumnName = "Text";
        var transformer = ml.Transforms.ZeroShotClassification(options).Fit(images);

        Assert.AreEqual("a photo of {}", transformer.Templates.Single());
        // The catalog's inputColumnName is the one read (checked on the shape: Fit would load the default loader's model "fake").
        SchemaShape textShape = ml.Transforms.CustomMapping<NoInput, TextRow>((_, _) => { }, null).GetOutputSchema(new SchemaShape([]));
        Assert.IsTrue(estimator.GetOutputSchema(textShape).Any(c => c.Name == "Score"));
        CollectionAssert.AreEqual(new uint[] { 3, 1 }, transformer.Transform(images).GetColumn<uint>("PredictedLabel").ToArray());
    }

    [TestMethod]
    public void SeveralTemplatesAreCombined()
    {
        var ml = new MLContext(seed: 1);
        var options = Options(new FakeModelLoader());
        options.Templates = ["a video of {}", "footage of a {} moving"];
        IDataView data = ml.Data.LoadFromEnumerable(Videos.Take(1));
        float[] score = ml.Transforms.ZeroShotClassification(options).Fit(data).Transform(data).GetColumn<float[]>("Score").Single();

        float[] video = Microsoft.ML.Clip.Tasks.EmbeddingMath.Normalized(FakeEmbedding.OfFile("v/cat.mp4"));
        double[] logits = Labels.Select(l =>
        {
            float[] a = Microsoft.ML.Clip.Tasks.EmbeddingMath.Normalized(FakeEmbedding.Of($"a video of {l}"));
            float[] b = Microsoft.ML.Clip.Tasks.EmbeddingMath.Normalized(FakeEmbedding.Of($"footage of a {l} moving"));
            float[] mean = Microsoft.ML.Clip.Tasks.EmbeddingMath.Normalized(a.Zip(b, (x, y) => x + y).ToArray());
            return FakeModelLoader.LogitScale * (double)video.Zip(mean, (x, y) => x * y).Sum();
        }).ToArray();
        double total = logits.Sum(Math.Exp);
        Assert.AreEqual(Math.Exp(logits[0]) / total, score[0], 1e-5);
    }

    [TestMethod]
    public void SkippedBadRowsGetNaNScoresAndTheMissingKey()
    {
        var ml = new MLContext(seed: 1);
        var options = Options(new FakeModelLoader());
        options.SkipBadRows = true;
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new VideoRow { Video = "v/missing_cat.mp4" }, new VideoRow { Video = "v/dog.mp4" } });

        IDataView output = ml.Transforms.ZeroShotClassification(options).Fit(data).Transform(data);

        float[][] scores = output.GetColumn<float[]>("Score").ToArray();
        Assert.IsTrue(scores[0].All(float.IsNaN));
        CollectionAssert.AreEqual(new uint[] { 0, 2 }, output.GetColumn<uint>("PredictedLabel").ToArray(), "key 0 is ML.NET's missing value");
    }

    [TestMethod]
    public void PredictionEngineNamesTheBadValue()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var engine = ml.Model.CreatePredictionEngine<VideoRow, ScoredRow>(ml.Transforms.ZeroShotClassification(Options(new FakeModelLoader())).Fit(data));

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => engine.Predict(new VideoRow { Video = "gone/missing.mp4" }));
        StringAssert.Contains(error.Message, "'gone/missing.mp4'");
    }

    [TestMethod]
    public void DuplicateOrMissingLabelsAreRejected()
    {
        var ml = new MLContext(seed: 1);
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.XClipZeroShotClassification("fake", ["cat", "cat"]));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.XClipZeroShotClassification("fake", []));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.XClipZeroShotClassification("fake", ["cat"], templates: ["no placeholder"]));
    }

    internal static ZeroShotClassifierEstimator.Options Options(IClipModelLoader loader) => new()
    {
        ModelPath = "fake-xclip",
        Labels = Labels,
        InputColumnName = "Video",
        ModelLoader = loader,
        BatchSize = 3,
    };
}
