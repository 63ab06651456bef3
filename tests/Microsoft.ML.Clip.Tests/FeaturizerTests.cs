using Microsoft.ML.Clip.Tests.Fakes;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Tests;

[TestClass]
public sealed class FeaturizerTests
{
    private static readonly VideoRow[] Videos =
    [
        new() { Video = "clips/cat_1.mp4", Label = "cat" },
        new() { Video = "clips/dog_1.mp4", Label = "dog" },
        new() { Video = "clips/bird_12.mp4", Label = "bird" },
        new() { Video = "clips/cat_22.mp4", Label = "cat" },
        new() { Video = "clips/dog_333.mp4", Label = "dog" },
        new() { Video = "clips/bird_4444.mp4", Label = "bird" },
        new() { Video = "clips/cat_55555.mp4", Label = "cat" },
    ];

    [TestMethod]
    public void VideoEmbeddingAddsAKnownSizeVectorWithTheModelsValuesInRowOrder()
    {
        var ml = new MLContext(seed: 1);
        var loader = new FakeModelLoader();
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var estimator = ml.Transforms.XClipVideoEmbedding(Options("Features", "Video", loader, batchSize: 3));

        IDataView output = estimator.Fit(data).Transform(data);

        DataViewSchema.Column column = output.Schema["Features"];
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, FakeEmbedding.Dimension), column.Type);
        float[][] embeddings = output.GetColumn<float[]>("Features").ToArray();
        string[] labels = output.GetColumn<string>("Label").ToArray();
        Assert.HasCount(Videos.Length, embeddings);
        for (int i = 0; i < Videos.Length; i++)
        {
            CollectionAssert.AreEqual(FakeEmbedding.OfFile(Videos[i].Video), embeddings[i], $"row {i}");
            Assert.AreEqual(Videos[i].Label, labels[i], "pass-through column stays aligned");
        }
    }

    [TestMethod]
    public void CursorRunsOneModelCallPerBatchAndEqualsRowAtATime()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var batchedLoader = new FakeModelLoader();
        var singleLoader = new FakeModelLoader();

        float[][] batched = ml.Transforms.XClipVideoEmbedding(Options("Features", "Video", batchedLoader, batchSize: 3))
            .Fit(data).Transform(data).GetColumn<float[]>("Features").ToArray();
        float[][] single = ml.Transforms.XClipVideoEmbedding(Options("Features", "Video", singleLoader, batchSize: 1))
            .Fit(data).Transform(data).GetColumn<float[]>("Features").ToArray();

        CollectionAssert.AreEqual(new[] { 3, 3, 1 }, batchedLoader.LastVideo!.Batches.ToArray());
        Assert.AreEqual(7, singleLoader.LastVideo!.Batches.Count);
        for (int i = 0; i < batched.Length; i++)
        {
            CollectionAssert.AreEqual(single[i], batched[i], $"row {i}");
        }
    }

    [TestMethod]
    public void ModelIsLoadedOncePerTransformerAcrossCursorsCursorSetsAndPredictionEngines()
    {
        var ml = new MLContext(seed: 1);
        var loader = new FakeModelLoader();
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var estimator = ml.Transforms.XClipVideoEmbedding(Options("Features", "Video", loader));
        _ = estimator.GetOutputSchema(InputShape(ml));
        XClipVideoFeaturizer transformer = estimator.Fit(data);
        IDataView output = transformer.Transform(data);

        _ = output.GetColumn<float[]>("Features").ToArray();
        _ = output.GetColumn<float[]>("Features").ToArray();
        var cursors = output.GetRowCursorSet(output.Schema, 4);
        foreach (var cursor in cursors)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(output.Schema["Features"]);
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
            }

            cursor.Dispose();
        }

        var engine = ml.Model.CreatePredictionEngine<VideoRow, EmbeddingRow>(transformer);
        _ = engine.Predict(Videos[0]);
        Parallel.For(0, 4, _ => transformer.Transform(data).GetColumn<float[]>("Features").ToArray());

        Assert.AreEqual(1, loader.Loads);
    }

    [TestMethod]
    public void OnlyReadingPassThroughColumnsDoesNotRunTheModel()
    {
        var ml = new MLContext(seed: 1);
        var loader = new FakeModelLoader();
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        IDataView output = ml.Transforms.XClipVideoEmbedding(Options("Features", "Video", loader)).Fit(data).Transform(data);

        CollectionAssert.AreEqual(Videos.Select(v => v.Label).ToArray(), output.GetColumn<string>("Label").ToArray());
        Assert.IsTrue(loader.LastVideo is null || loader.LastVideo.Batches.IsEmpty);
    }

    [TestMethod]
    public void FramePathsAndPixelColumnsAreAcceptedForVideos()
    {
        var ml = new MLContext(seed: 1);
        var loader = new FakeModelLoader();
        var frames = ml.Data.LoadFromEnumerable(new[] { new FramesRow { Frames = ["f/dog_0.png", "f/dog_1.png"] } });
        float[] frameEmbedding = ml.Transforms.XClipVideoEmbedding(Options("E", "Frames", loader)).Fit(frames).Transform(frames).GetColumn<float[]>("E").Single();
        CollectionAssert.AreEqual(FakeEmbedding.Of("dog_0.png|dog_1.png"), frameEmbedding);

        float[] pixels = Enumerable.Range(0, FakeVideoEmbedder.Pixels).Select(i => i / 10f).ToArray();
        var pixelData = ml.Data.LoadFromEnumerable(new[] { new PixelsRow { Pixels = pixels } });
        float[] pixelEmbedding = ml.Transforms.XClipVideoEmbedding(Options("E", "Pixels", loader)).Fit(pixelData).Transform(pixelData).GetColumn<float[]>("E").Single();
        CollectionAssert.AreEqual(FakeEmbedding.OfPixels(pixels), pixelEmbedding);
    }

    [TestMethod]
    public void TextAndImageFeaturizersEmbedTheirColumns()
    {
        var ml = new MLContext(seed: 1);
        var loader = new FakeModelLoader();
        var texts = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "a cat" }, new TextRow { Text = "un chien dog" } });

        var xclip = ml.Transforms.XClipTextEmbedding(new XClipTextFeaturizerEstimator.Options { OutputColumnName = "T", InputColumnName = "Text", ModelPath = "fake", ModelLoader = loader });
        var altclip = ml.Transforms.AltClipTextEmbedding(new AltClipTextFeaturizerEstimator.Options { OutputColumnName = "A", InputColumnName = "Text", ModelPath = "fake", ModelLoader = loader });
        IDataView output = xclip.Append(altclip).Fit(texts).Transform(texts);

        CollectionAssert.AreEqual(FakeEmbedding.Of("a cat"), output.GetColumn<float[]>("T").First());
        CollectionAssert.AreEqual(FakeEmbedding.Of("un chien dog"), output.GetColumn<float[]>("A").Last());

        var images = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "img/bird.jpg" } });
        var image = ml.Transforms.AltClipImageEmbedding(new AltClipImageFeaturizerEstimator.Options { OutputColumnName = "I", InputColumnName = "Text", ModelPath = "fake", ModelLoader = loader });
        CollectionAssert.AreEqual(FakeEmbedding.OfFile("img/bird.jpg"), image.Fit(images).Transform(images).GetColumn<float[]>("I").Single());
    }

    [TestMethod]
    public void InputColumnDefaultsToTheOutputColumnAndIsReplaced()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "cat" } });
        var estimator = ml.Transforms.XClipTextEmbedding(new XClipTextFeaturizerEstimator.Options { OutputColumnName = "Text", ModelPath = "fake", ModelLoader = new FakeModelLoader() });

        IDataView output = estimator.Fit(data).Transform(data);

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 4), output.Schema["Text"].Type);
        Assert.IsTrue(output.Schema[0].IsHidden, "the input column is hidden by the output of the same name");
        CollectionAssert.AreEqual(FakeEmbedding.Of("cat"), output.GetColumn<float[]>("Text").Single());
    }

    internal static XClipVideoFeaturizerEstimator.Options Options(string output, string input, IClipModelLoader loader, int batchSize = 8, bool skipBadRows = false) => new()
    {
        OutputColumnName = output,
        InputColumnName = input,
        ModelPath = "fake-xclip",
        ModelLoader = loader,
        BatchSize = batchSize,
        SkipBadRows = skipBadRows,
    };

    /// <summary>A shape with a text column "Video", built through public API.</summary>
    internal static SchemaShape InputShape(MLContext ml) =>
        ml.Transforms.CustomMapping<NoInput, TextShape>((_, _) => { }, null).GetOutputSchema(new SchemaShape([]));
}
