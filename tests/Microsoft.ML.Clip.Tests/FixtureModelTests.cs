using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tests.Fakes;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Tests;

/// <summary>The transforms on the tiny fixture checkpoints reproduce the Python reference outputs.</summary>
[TestClass]
public sealed class FixtureModelTests
{
    private const float HiddenTolerance = 1e-4f; // DESIGN.md: embeddings
    private static readonly ModelFixtureData XClip = FixtureModelLoader.XClip;
    private static readonly ModelFixtureData AltClip = FixtureModelLoader.AltClip;

    [TestMethod]
    public void XClipVideoAndTextEmbeddingsMatchGetVideoAndTextFeatures()
    {
        var ml = new MLContext(seed: 1);
        var loader = new FixtureModelLoader();
        IDataView videos = ml.Data.LoadFromEnumerable(XClip.Rows(XClip.Inputs, "pixel_values").Select(p => new XClipPixelsRow { Video = p }).ToArray());
        IDataView texts = ml.Data.LoadFromEnumerable(new[] { "t0", "t1", "t2" }.Select(t => new TextRow { Text = t }).ToArray());

        foreach (int batchSize in new[] { 1, 2 })
        {
            float[][] video = ml.Transforms.XClipVideoEmbedding(new XClipVideoFeaturizerEstimator.Options { OutputColumnName = "E", InputColumnName = "Video", ModelPath = XClip.Folder, ModelLoader = loader, BatchSize = batchSize })
                .Fit(videos).Transform(videos).GetColumn<float[]>("E").ToArray();
            AssertRows(XClip.Rows(XClip.Expected, "get_video_features"), video, $"get_video_features (batch {batchSize})");
        }

        float[][] text = ml.Transforms.XClipTextEmbedding(new XClipTextFeaturizerEstimator.Options { OutputColumnName = "E", InputColumnName = "Text", ModelPath = XClip.Folder, ModelLoader = loader })
            .Fit(texts).Transform(texts).GetColumn<float[]>("E").ToArray();
        AssertRows(XClip.Rows(XClip.Expected, "get_text_features"), text, "get_text_features");
    }

    [TestMethod]
    public void XClipZeroShotScoreIsTheSoftmaxOfLogitsPerVideo()
    {
        var ml = new MLContext(seed: 1);
        IDataView videos = ml.Data.LoadFromEnumerable(XClip.Rows(XClip.Inputs, "pixel_values").Select(p => new XClipPixelsRow { Video = p }).ToArray());
        var estimator = ml.Transforms.ZeroShotClassification(new ZeroShotClassifierEstimator.Options
        {
            ModelPath = XClip.Folder,
            ModelLoader = new FixtureModelLoader(),
            Labels = ["0", "1", "2"],
            Templates = ["t{}"],
        });

        IDataView output = estimator.Fit(videos).Transform(videos);

        float[][] logits = XClip.Rows(XClip.Expected, "logits_per_video");
        float[][] scores = output.GetColumn<float[]>("Score").ToArray();
        uint[] keys = output.GetColumn<uint>("PredictedLabel").ToArray();
        for (int v = 0; v < logits.Length; v++)
        {
            TensorAssert.Close(EmbeddingMath.Softmax(logits[v]), scores[v], HiddenTolerance, $"video {v}");
            Assert.AreEqual((uint)EmbeddingMath.ArgMax(logits[v]) + 1, keys[v]);
        }
    }

    [TestMethod]
    public void AltClipTextAndImageEmbeddingsAndZeroShotMatchTheReference()
    {
        var ml = new MLContext(seed: 1);
        var loader = new FixtureModelLoader();
        IDataView images = ml.Data.LoadFromEnumerable(AltClip.Rows(AltClip.Inputs, "pixel_values").Select(p => new AltClipPixelsRow { Image = p }).ToArray());

        IDataView texts = ml.Data.LoadFromEnumerable(new[] { "t0", "t1", "t2" }.Select(t => new TextRow { Text = t }).ToArray());
        float[][] textEmbeddings = ml.Transforms.AltClipTextEmbedding(new AltClipTextFeaturizerEstimator.Options { OutputColumnName = "E", InputColumnName = "Text", ModelPath = AltClip.Folder, ModelLoader = loader })
            .Fit(texts).Transform(texts).GetColumn<float[]>("E").ToArray();
        AssertRows(AltClip.Rows(AltClip.Expected, "get_text_features"), textEmbeddings, "get_text_features");

        float[][] embeddings = ml.Transforms.AltClipImageEmbedding(new AltClipImageFeaturizerEstimator.Options { OutputColumnName = "E", InputColumnName = "Image", ModelPath = AltClip.Folder, ModelLoader = loader })
            .Fit(images).Transform(images).GetColumn<float[]>("E").ToArray();
        AssertRows(AltClip.Rows(AltClip.Expected, "get_image_features"), embeddings, "get_image_features");

        var zeroShot = ml.Transforms.ZeroShotClassification(new ZeroShotClassifierEstimator.Options
        {
            Family = ClipModelFamily.AltClip,
            ModelPath = AltClip.Folder,
            ModelLoader = loader,
            Labels = ["0", "1", "2"],
            Templates = ["t{}"],
        });
        float[][] scores = zeroShot.Fit(images).Transform(images).GetColumn<float[]>("Score").ToArray();
        float[][] logits = AltClip.Rows(AltClip.Expected, "logits_per_image");
        for (int i = 0; i < logits.Length; i++)
        {
            TensorAssert.Close(EmbeddingMath.Softmax(logits[i]), scores[i], HiddenTolerance, $"image {i}");
        }
    }

    [TestMethod]
    public void FixturePipelineRoundTripsAndPredictionEngineAgrees()
    {
        var ml = new MLContext(seed: 1);
        IDataView videos = ml.Data.LoadFromEnumerable(XClip.Rows(XClip.Inputs, "pixel_values").Select(p => new XClipPixelsRow { Video = p }).ToArray());
        var model = ml.Transforms.XClipVideoEmbedding(new XClipVideoFeaturizerEstimator.Options { OutputColumnName = "Embedding", InputColumnName = "Video", ModelPath = XClip.Folder, ModelLoader = new FixtureModelLoader() }).Fit(videos);
        using var stream = new MemoryStream();

        ClipModelPersistence.Save(ml, model, videos.Schema, stream);
        stream.Position = 0;
        var loaded = ClipModelPersistence.Load(ml, stream, out DataViewSchema inputSchema, new FixtureModelLoader());

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3 * 3 * 32 * 32), inputSchema["Video"].Type);
        PersistenceTests.AssertSameOutputs(model.Transform(videos), loaded.Transform(videos), "Embedding");
        var engine = ml.Model.CreatePredictionEngine<XClipPixelsRow, EmbeddingOutput>(loaded);
        float[] first = engine.Predict(new XClipPixelsRow { Video = XClip.Rows(XClip.Inputs, "pixel_values")[0] }).Embedding;
        TensorAssert.Close(XClip.Rows(XClip.Expected, "get_video_features")[0], first, HiddenTolerance, "prediction engine");
    }

    [TestMethod]
    public void LoadingAgainstAChangedCheckpointFailsNamingBothHashes()
    {
        string folder = Directory.CreateTempSubdirectory("xclip-tiny-hash-").FullName;
        try
        {
            File.Copy(Path.Combine(XClip.Folder, "config.json"), Path.Combine(folder, "config.json"));
            File.Copy(Path.Combine(XClip.Folder, "model.safetensors"), Path.Combine(folder, "model.safetensors"));
            var ml = new MLContext(seed: 1);
            IDataView videos = ml.Data.LoadFromEnumerable(XClip.Rows(XClip.Inputs, "pixel_values").Select(p => new XClipPixelsRow { Video = p }).ToArray());
            using var transformer = ml.Transforms.XClipVideoEmbedding(new XClipVideoFeaturizerEstimator.Options { OutputColumnName = "E", InputColumnName = "Video", ModelPath = folder, ModelLoader = new FixtureModelLoader() }).Fit(videos);
            using var saved = new MemoryStream();
            transformer.Save(saved);

            saved.Position = 0;
            using (var unchanged = ClipTransformerBase.Load(saved, new FixtureModelLoader()))
            {
                PersistenceTests.AssertSameOutputs(transformer.Transform(videos), unchanged.Transform(videos), "E");
            }

            using (var weights = File.OpenWrite(Path.Combine(folder, "model.safetensors")))
            {
                weights.Seek(0, SeekOrigin.End);
                weights.WriteByte(0);
            }

            saved.Position = 0;
            var error = Assert.ThrowsExactly<InvalidDataException>(() => ClipTransformerBase.Load(saved, new FixtureModelLoader()));
            StringAssert.Contains(error.Message, "SHA-256");
            StringAssert.Contains(error.Message, folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void AssertRows(float[][] expected, float[][] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int i = 0; i < expected.Length; i++)
        {
            TensorAssert.Close(expected[i], actual[i], HiddenTolerance, $"{what} row {i}");
        }
    }

    public sealed class EmbeddingOutput
    {
        public float[] Embedding { get; set; } = [];
    }
}

/// <summary>The default loader on a model folder (fixture weights + CLIP tokenizer + a 32-pixel preprocessor config).</summary>
[TestClass]
public sealed class DefaultLoaderTests
{
    [TestMethod]
    public void VideoPathColumnRunsThroughDecoderPreprocessorAndModel()
    {
        string folder = Directory.CreateTempSubdirectory("xclip-tiny-folder-").FullName;
        try
        {
            foreach (string file in new[] { "config.json", "model.safetensors" })
            {
                File.Copy(Path.Combine(FixtureModelLoader.XClip.Folder, file), Path.Combine(folder, file));
            }

            foreach (string file in Directory.GetFiles(TestFixtures.Path("tokenizers/clip"), "*.json").Concat([TestFixtures.Path("tokenizers/clip/merges.txt")]))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            }

            string processor = File.ReadAllText(TestFixtures.Path("processors/configs/xclip-base-patch32/preprocessor_config.json"))
                .Replace("\"size\": 224", "\"size\": {\"shortest_edge\": 32}, \"crop_size\": {\"height\": 32, \"width\": 32}", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(folder, "preprocessor_config.json"), processor);
            string video = TestFixtures.Path("processors/videos/testsrc.mp4");

            var ml = new MLContext(seed: 1);
            IDataView data = ml.Data.LoadFromEnumerable(new[] { new VideoRow { Video = video, Label = "testsrc" } });
            using XClipVideoFeaturizer transformer = ml.Transforms.XClipVideoEmbedding("Embedding", folder, "Video").Fit(data);
            float[] embedding = transformer.Transform(data).GetColumn<float[]>("Embedding").Single();

            using XClipEmbedder direct = XClipEmbedder.FromPretrained(folder);
            Assert.IsNotNull(direct.Preprocessor);
            float[] expected = direct.Model.GetVideoFeatures(direct.Preprocessor.Process([video])).Span.ToArray();
            TensorAssert.Close(expected, embedding, 1e-6f, "video path through the default loader");
            Assert.AreEqual(24, embedding.Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
