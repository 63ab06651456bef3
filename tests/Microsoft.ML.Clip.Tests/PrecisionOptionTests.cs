using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Data;
using Microsoft.ML.Clip.Tests.Fakes;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Tests;

/// <summary>
/// <see cref="ClipTransformOptions.Precision"/>: the default loader loads the model in int8, the outputs are close to
/// float32 but not equal, and the precision is saved with the transformer.
/// </summary>
[TestClass]
public sealed class PrecisionOptionTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void Int8TextEmbeddingsAreCloseToFloat32AndThePrecisionIsSaved()
    {
        var ml = new MLContext(seed: 1);
        IDataView texts = ml.Data.LoadFromEnumerable(new[] { "a cat", "一只狗", "a red car on a road" }.Select(t => new TextRow { Text = t }).ToArray());
        AltClipTextFeaturizer Fit(ComputePrecision precision) => ml.Transforms.AltClipTextEmbedding(new AltClipTextFeaturizerEstimator.Options
        {
            OutputColumnName = "E",
            InputColumnName = "Text",
            ModelPath = ProcessorModelFolders.AltClip,
            Precision = precision,
        }).Fit(texts);

        using AltClipTextFeaturizer float32 = Fit(ComputePrecision.Float32);
        using AltClipTextFeaturizer int8 = Fit(ComputePrecision.Int8);
        Assert.AreEqual(ComputePrecision.Int8, int8.Precision);
        float[][] reference = float32.Transform(texts).GetColumn<float[]>("E").ToArray();
        float[][] quantized = int8.Transform(texts).GetColumn<float[]>("E").ToArray();
        for (int i = 0; i < reference.Length; i++)
        {
            CollectionAssert.AreNotEqual(reference[i], quantized[i], $"row {i}: int8 is really used");
            float cosine = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(reference[i], quantized[i]);
            Assert.IsTrue(cosine >= 0.999f, $"row {i}: cosine {cosine}");
        }

        string path = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"int8-{Guid.NewGuid():N}.json");
        int8.Save(path);
        StringAssert.Contains(File.ReadAllText(path), "\"Precision\": \"Int8\"");
        using var loaded = (AltClipTextFeaturizer)ClipTransformerBase.Load(path);
        Assert.AreEqual(ComputePrecision.Int8, loaded.Precision);
        float[][] again = loaded.Transform(texts).GetColumn<float[]>("E").ToArray();
        for (int i = 0; i < again.Length; i++)
        {
            CollectionAssert.AreEqual(quantized[i], again[i], $"row {i} after loading");
        }

        File.Delete(path);
    }

    [TestMethod]
    public void TheDefaultLoaderTakesThePrecisionAndACustomLoaderIsLeftAlone()
    {
        var fake = new FakeModelLoader();
        Assert.AreSame(ClipModelLoader.Default, ClipModelLoader.For(new AltClipTextFeaturizerEstimator.Options()));
        var int8 = (ClipModelLoader)ClipModelLoader.For(new AltClipTextFeaturizerEstimator.Options { Precision = ComputePrecision.Int8 });
        Assert.AreEqual(ComputePrecision.Int8, int8.Precision);
        Assert.AreEqual(ComputePrecision.Float32, ClipModelLoader.Default.Precision, "the shared default is not changed");
        Assert.AreSame(fake, ClipModelLoader.For(new AltClipTextFeaturizerEstimator.Options { Precision = ComputePrecision.Int8, ModelLoader = fake }));
    }

    [TestMethod]
    public void AnUndefinedPrecisionIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AltClipTextEmbedding(new AltClipTextFeaturizerEstimator.Options
        {
            OutputColumnName = "E",
            ModelPath = ProcessorModelFolders.AltClip,
            Precision = (ComputePrecision)9,
        }));
        StringAssert.Contains(error.Message, "Precision must be Float32 or Int8");
    }
}
