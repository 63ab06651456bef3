using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tests.Fakes;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Tests;

/// <summary>
/// Saved pipelines survive moving the model: Hub ids are saved as ids, local folders below the saved file's folder
/// relative to it, other folders absolute; a missing folder says how to pass the new one, and <c>modelPath</c> replaces it.
/// </summary>
[TestClass]
public sealed class PersistenceModelPathTests
{
    private readonly List<string> _folders = [];

    [TestCleanup]
    public void Cleanup()
    {
        foreach (string folder in _folders.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ModelFolderBelowTheSavedFileIsSavedRelativeAndMovesWithIt()
    {
        string root = NewFolder();
        string model = CopyFixtureModel(Path.Combine(root, "models", "altclip"));
        var (ml, data, fitted) = FitAltClipEmbedding(model);
        string pipelineFile = Path.Combine(root, "pipeline.zip");
        string transformerFile = Path.Combine(root, "embedding.json");
        ClipModelPersistence.Save(ml, fitted, data.Schema, pipelineFile);
        fitted.LastTransformer.Save(transformerFile);

        Assert.AreEqual("models/altclip", StoredState(pipelineFile).GetProperty("ModelPath").GetString());
        Assert.AreEqual("RelativeFolder", StoredState(pipelineFile).GetProperty("ModelLocation").GetString());

        string moved = NewFolder();
        Directory.Delete(moved);
        Directory.Move(root, moved);
        var loaded = ClipModelPersistence.Load(ml, Path.Combine(moved, "pipeline.zip"), out _, new FixtureModelLoader());
        var loadedTransformer = ClipTransformerBase.Load(Path.Combine(moved, "embedding.json"), new FixtureModelLoader());

        Assert.AreEqual(Path.Combine(moved, "models", "altclip"), ((ClipTransformerBase)loaded.Single()).ModelPath);
        PersistenceTests.AssertSameOutputs(fitted.Transform(data), loaded.Transform(data), "E");
        PersistenceTests.AssertSameOutputs(fitted.Transform(data), loadedTransformer.Transform(data), "E");
    }

    [TestMethod]
    public void MissingModelFolderSaysHowToPassTheNewOneAndModelPathReplacesIt()
    {
        string model = CopyFixtureModel(Path.Combine(NewFolder(), "altclip"));
        var (ml, data, fitted) = FitAltClipEmbedding(model);
        string file = Path.Combine(NewFolder(), "pipeline.zip"); // not above the model: saved absolute
        ClipModelPersistence.Save(ml, fitted, data.Schema, file);
        Assert.AreEqual(model, StoredState(file).GetProperty("ModelPath").GetString());

        string movedModel = Path.Combine(NewFolder(), "altclip-moved");
        Directory.Move(model, movedModel);

        var error = Assert.ThrowsExactly<DirectoryNotFoundException>(() => ClipModelPersistence.Load(ml, file, out _, new FixtureModelLoader()));
        StringAssert.Contains(error.Message, $"the model folder '{model}', which does not exist");
        StringAssert.Contains(error.Message, "ClipModelPersistence.Load(mlContext, path, out inputSchema, modelPath: ");

        var loaded = ClipModelPersistence.Load(ml, file, out _, new FixtureModelLoader(), modelPath: movedModel);
        PersistenceTests.AssertSameOutputs(fitted.Transform(data), loaded.Transform(data), "E");
    }

    [TestMethod]
    public void ModelPathOverrideStillChecksTheSavedCheckpoint()
    {
        string model = CopyFixtureModel(Path.Combine(NewFolder(), "altclip"));
        var (ml, data, fitted) = FitAltClipEmbedding(model);
        using var saved = new MemoryStream();
        ClipModelPersistence.Save(ml, fitted, data.Schema, saved);

        string other = Path.Combine(NewFolder(), "xclip");
        Directory.CreateDirectory(other);
        File.Copy(TestFixtures.Path("models/xclip-tiny/model.safetensors"), Path.Combine(other, "model.safetensors"));
        saved.Position = 0;

        var error = Assert.ThrowsExactly<InvalidDataException>(() => ClipModelPersistence.Load(ml, saved, out _, new FixtureModelLoader(), modelPath: other));
        StringAssert.Contains(error.Message, "SHA-256");
    }

    [TestMethod]
    public void HubIdIsSavedAsTheIdAndGivenToTheLoader()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "a cat" } });
        var fitted = ml.Transforms.AltClipTextEmbedding(new AltClipTextFeaturizerEstimator.Options
        {
            OutputColumnName = "E", InputColumnName = "Text", ModelPath = "BAAI/AltCLIP", ModelLoader = new FakeModelLoader(),
        }).Fit(data);
        string file = Path.Combine(NewFolder(), "pipeline.zip");
        ClipModelPersistence.Save(ml, fitted, data.Schema, file);

        Assert.AreEqual("BAAI/AltCLIP", StoredState(file).GetProperty("ModelPath").GetString());
        Assert.AreEqual("Hub", StoredState(file).GetProperty("ModelLocation").GetString());
        var loader = new RecordingLoader();
        var loaded = ClipModelPersistence.Load(ml, file, out _, loader);
        PersistenceTests.AssertSameOutputs(fitted.Transform(data), loaded.Transform(data), "E");
        CollectionAssert.AreEqual(new[] { "BAAI/AltCLIP" }, loader.Models.ToArray());
    }

    [TestMethod]
    public void ModelPathOverrideIsRefusedWhenStepsUseDifferentModels()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "a cat" } });
        AltClipTextFeaturizerEstimator Embedding(string output, string model) => ml.Transforms.AltClipTextEmbedding(new AltClipTextFeaturizerEstimator.Options
        {
            OutputColumnName = output, InputColumnName = "Text", ModelPath = model, ModelLoader = new FakeModelLoader(),
        });
        var fitted = Embedding("A", "org/model-a").Append(Embedding("B", "org/model-b")).Fit(data);
        using var saved = new MemoryStream();
        ClipModelPersistence.Save(ml, fitted, data.Schema, saved);
        saved.Position = 0;

        var error = Assert.ThrowsExactly<ArgumentException>(() => ClipModelPersistence.Load(ml, saved, out _, new FakeModelLoader(), modelPath: "org/model-c"));
        Assert.AreEqual("modelPath", error.ParamName);
        StringAssert.Contains(error.Message, "'org/model-a', 'org/model-b'");
    }

    private static (MLContext Ml, IDataView Data, TransformerChain<AltClipImageFeaturizer> Fitted) FitAltClipEmbedding(string model)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 3).Select(r => new AltClipPixelsRow
        {
            Image = Enumerable.Range(0, 3 * 32 * 32).Select(i => MathF.Sin((i * 0.01f) + r)).ToArray(),
        }));
        var fitted = new EstimatorChain<ITransformer>().Append(ml.Transforms.AltClipImageEmbedding(new AltClipImageFeaturizerEstimator.Options
        {
            OutputColumnName = "E", InputColumnName = "Image", ModelPath = model, ModelLoader = new FixtureModelLoader(),
        })).Fit(data);
        return (ml, data, fitted);
    }

    private static string CopyFixtureModel(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (string file in new[] { "config.json", "model.safetensors" })
        {
            File.Copy(TestFixtures.Path($"models/altclip-tiny/{file}"), Path.Combine(folder, file));
        }

        return folder;
    }

    /// <summary>The saved state of the pipeline's (single) X-CLIP/AltCLIP step.</summary>
    private static JsonElement StoredState(string pipelineFile)
    {
        using ZipArchive zip = ZipFile.OpenRead(pipelineFile);
        using Stream entry = zip.Entries.Single(e => e.Name.EndsWith(".clip.json", StringComparison.Ordinal)).Open();
        return JsonDocument.Parse(entry).RootElement.Clone();
    }

    private string NewFolder()
    {
        string folder = Directory.CreateTempSubdirectory("clip-persistence-").FullName;
        _folders.Add(folder);
        return folder;
    }

    /// <summary>A fake loader that records the model references it is asked for.</summary>
    private sealed class RecordingLoader : IClipModelLoader
    {
        private readonly FakeModelLoader _inner = new();

        public ConcurrentQueue<string> Models { get; } = new();

        public ITextEmbedder LoadTextEmbedder(ClipModelFamily family, string model) => Record(model, _inner.LoadTextEmbedder(family, model));

        public IVideoEmbedder LoadVideoEmbedder(string model) => Record(model, _inner.LoadVideoEmbedder(model));

        public IImageEmbedder LoadImageEmbedder(string model) => Record(model, _inner.LoadImageEmbedder(model));

        public IZeroShotScorer<VideoInput> LoadVideoZeroShotScorer(string model) => Record(model, _inner.LoadVideoZeroShotScorer(model));

        public IZeroShotScorer<ImageInput> LoadImageZeroShotScorer(string model) => Record(model, _inner.LoadImageZeroShotScorer(model));

        private T Record<T>(string model, T loaded)
        {
            Models.Enqueue(model);
            return loaded;
        }
    }
}
