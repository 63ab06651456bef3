using Microsoft.ML.Clip.Tests.Fakes;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Tests;

[TestClass]
public sealed class SchemaTests
{
    [TestMethod]
    public void EstimatorShapeHasTheEmbeddingColumn()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("Features", "Video", new FakeModelLoader()));

        SchemaShape shape = estimator.GetOutputSchema(FeaturizerTests.InputShape(ml));

        SchemaShape.Column features = shape.Single(c => c.Name == "Features");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, features.Kind);
        Assert.AreEqual(NumberDataViewType.Single, features.ItemType);
        Assert.IsFalse(features.IsKey);
        Assert.IsTrue(shape.Any(c => c.Name == "Video"), "input columns are kept");
    }

    [TestMethod]
    public void TransformerSchemaMatchesTheDataAndChainsPropagateIt()
    {
        var ml = new MLContext(seed: 1);
        var loader = new FakeModelLoader();
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new VideoRow { Video = "cat.mp4", Label = "cat" } });
        var chain = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("V", "Video", loader))
            .Append(ml.Transforms.XClipTextEmbedding(new XClipTextFeaturizerEstimator.Options { OutputColumnName = "T", InputColumnName = "Label", ModelPath = "fake", ModelLoader = loader }));

        SchemaShape shape = chain.GetOutputSchema(new SchemaShape(FeaturizerTests.InputShape(ml).Concat(LabelShape(ml))));
        Assert.IsTrue(shape.Any(c => c.Name == "V") && shape.Any(c => c.Name == "T"));

        var model = chain.Fit(data);
        DataViewSchema schema = model.GetOutputSchema(data.Schema);
        CollectionAssert.AreEqual(new[] { "Video", "Label", "V", "T" }, schema.Select(c => c.Name).ToArray());
        Assert.AreEqual(schema["T"].Type, model.Transform(data).Schema["T"].Type);
    }

    [TestMethod]
    public void MissingInputColumnFailsFromEveryPath()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("Features", "Clip", new FakeModelLoader()));
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new VideoRow { Video = "cat.mp4" } });
        var other = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("Features", "Video", new FakeModelLoader())).Fit(data);

        var fromShape = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(FeaturizerTests.InputShape(ml)));
        var fromFit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        var transformer = (XClipVideoFeaturizer)ClipTransformerBase.Load(SaveToMemory(other, "Clip"), new FakeModelLoader());
        var fromSchema = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => transformer.GetOutputSchema(data.Schema));
        var fromTransform = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => transformer.Transform(data));
        foreach (var error in new[] { fromShape, fromFit, fromSchema, fromTransform })
        {
            StringAssert.Contains(error.Message, "Could not find input column 'Clip'");
        }
    }

    [TestMethod]
    public void WrongInputTypeFailsWithMLNetsSchemaMismatchWording()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("Features", "Video", new FakeModelLoader()));
        IDataView numbers = ml.Data.LoadFromEnumerable(new[] { new NumberRow { Video = 1 } });
        SchemaShape numberShape = ml.Transforms.CustomMapping<NoInput, NumberShape>((_, _) => { }, null).GetOutputSchema(new SchemaShape([]));

        var fromShape = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(numberShape));
        var fromFit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(numbers));

        StringAssert.Contains(fromShape.Message, "Schema mismatch for input column 'Video': expected String (video path), Vector<String> (frame image paths) or Vector<Single, 24> (preprocessed pixels), got Single");
        StringAssert.Contains(fromFit.Message, "Schema mismatch for input column 'Video': expected String");
        StringAssert.Contains(fromFit.Message, "got Single");
    }

    [TestMethod]
    public void PixelVectorOfTheWrongSizeIsASchemaMismatch()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new WrongPixelsRow { Pixels = new float[5] } });
        var estimator = ml.Transforms.XClipVideoEmbedding(FeaturizerTests.Options("E", "Pixels", new FakeModelLoader()));

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(error.Message, "or Vector<Single, 24> (preprocessed pixels), got Vector<Single, 5>");
    }

    [TestMethod]
    public void TextFeaturizerRejectsPathsVectorsWithItsOwnExpectation()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new FramesRow { Frames = ["a"] } });
        var estimator = ml.Transforms.AltClipTextEmbedding("E", "fake", "Frames");
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(error.Message, "Schema mismatch for input column 'Frames': expected String, got Vector<String>");
    }

    internal static Stream SaveToMemory(ClipTransformerBase transformer, string? replaceInput = null)
    {
        var stream = new MemoryStream();
        transformer.Save(stream);
        if (replaceInput is null)
        {
            stream.Position = 0;
            return stream;
        }

        string json = System.Text.Encoding.UTF8.GetString(stream.ToArray())
            .Replace($"\"InputColumnName\": \"{transformer.InputColumnName}\"", $"\"InputColumnName\": \"{replaceInput}\"", StringComparison.Ordinal);
        return new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
    }

    private static IEnumerable<SchemaShape.Column> LabelShape(MLContext ml) =>
        ml.Transforms.CustomMapping<NoInput, LabelShapeRow>((_, _) => { }, null).GetOutputSchema(new SchemaShape([]));

    public sealed class LabelShapeRow
    {
        public string Label = string.Empty;
    }

    public sealed class WrongPixelsRow
    {
        [VectorType(5)]
        public float[] Pixels { get; set; } = [];
    }
}
