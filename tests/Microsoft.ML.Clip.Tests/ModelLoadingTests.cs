using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tests.Fakes;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Tests;

/// <summary>
/// A model that cannot load, or a model reference that cannot be right, is an error at <c>Fit</c> (or at the first read
/// of a loaded transformer), on every path and whatever <c>SkipBadRows</c> says: never a bad row, never NaN outputs.
/// </summary>
[TestClass]
public sealed class ModelLoadingTests
{
    private static readonly VideoRow[] Videos = [new() { Video = "cat.mp4" }, new() { Video = "dog.mp4" }];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void ZeroShotWithAModelThatCannotLoadFailsAtFit(bool skipBadRows)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var options = ZeroShotTests.Options(new FailingLoader());
        options.SkipBadRows = skipBadRows;
        var estimator = ml.Transforms.ZeroShotClassification(options);

        var error = Assert.ThrowsExactly<DirectoryNotFoundException>(() => estimator.Fit(data));
        StringAssert.Contains(error.Message, "fake-xclip");
    }

    [TestMethod]
    public void EmbeddingWithAModelThatCannotLoadFailsAtFit()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var estimator = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("E", "Video", new FailingLoader(), skipBadRows: true));

        Assert.ThrowsExactly<DirectoryNotFoundException>(() => estimator.Fit(data));
    }

    [TestMethod]
    public void LoadedZeroShotWithAModelThatCannotLoadFailsInsteadOfGivingNaN()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var options = ZeroShotTests.Options(new FakeModelLoader());
        options.SkipBadRows = true;
        using var saved = new MemoryStream();
        ml.Transforms.ZeroShotClassification(options).Fit(data).Save(saved);
        saved.Position = 0;

        var loaded = ClipTransformerBase.Load(saved, new FailingLoader());
        IDataView scored = loaded.Transform(data);

        Assert.ThrowsExactly<DirectoryNotFoundException>(() => scored.GetColumn<float[]>("Score").ToArray());
        var engine = ml.Model.CreatePredictionEngine<VideoRow, ScoredRow>(loaded);
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => engine.Predict(Videos[0]));
    }

    [TestMethod]
    [DataRow("./models/xclip-tny")]
    [DataRow("/no/such/models/xclip-base-patch32")]
    [DataRow("models/xclip/tiny")]
    public void MistypedLocalFolderIsAnArgumentExceptionAtFitNamingThePath(string modelPath)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var embedding = ml.Transforms.XClipVideoEmbedding("E", modelPath, "Video", skipBadRows: true);
        var zeroShot = ml.Transforms.XClipZeroShotClassification(modelPath, ["cat", "dog"], skipBadRows: true);

        foreach (Action fit in new Action[] { () => embedding.Fit(data), () => zeroShot.Fit(data) })
        {
            var error = Assert.ThrowsExactly<ArgumentException>(fit);
            Assert.AreEqual("ModelPath", error.ParamName);
            StringAssert.Contains(error.Message, $"'{modelPath}' does not exist");
        }
    }

    [TestMethod]
    [DataRow("microsoft/xclip base")]
    [DataRow("microsoft--xclip")]
    [DataRow("org/name@")]
    public void MalformedHubIdIsAnArgumentExceptionAtFit(string modelPath)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);

        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.AltClipZeroShotClassification(modelPath, ["cat"], "Video").Fit(data));

        Assert.AreEqual("ModelPath", error.ParamName);
        StringAssert.Contains(error.Message, "neither an existing model folder nor a Hugging Face model id");
    }

    [TestMethod]
    public void FolderWithoutConfigIsAnArgumentExceptionAtFit()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        string folder = Directory.CreateTempSubdirectory("clip-empty-model-").FullName;
        try
        {
            var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.XClipVideoEmbedding("E", folder, "Video").Fit(data));
            StringAssert.Contains(error.Message, "has no config.json");
            StringAssert.Contains(error.Message, folder);
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [TestMethod]
    public void ModelThatLoadsIsLoadedOnceAtFitAndReused()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Videos);
        var loader = new FakeModelLoader();
        var transformer = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("E", "Video", loader)).Fit(data);

        Assert.AreEqual(1, loader.Loads);
        Assert.HasCount(2, transformer.Transform(data).GetColumn<float[]>("E").ToArray());
        Assert.AreEqual(1, loader.Loads);
    }

    internal sealed class FailingLoader : IClipModelLoader
    {
        public ITextEmbedder LoadTextEmbedder(ClipModelFamily family, string model) => throw Missing(model);

        public IVideoEmbedder LoadVideoEmbedder(string model) => throw Missing(model);

        public IImageEmbedder LoadImageEmbedder(string model) => throw Missing(model);

        public IZeroShotScorer<VideoInput> LoadVideoZeroShotScorer(string model) => throw Missing(model);

        public IZeroShotScorer<ImageInput> LoadImageZeroShotScorer(string model) => throw Missing(model);

        private static DirectoryNotFoundException Missing(string model) => new($"Model folder '{model}' not found.");
    }
}
