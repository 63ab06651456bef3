using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tests.Modeling;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Tests.Tasks;

/// <summary>The task embedders on the tiny fixture models reproduce the reference outputs.</summary>
[TestClass]
public sealed class EmbedderFixtureTests
{
    private static readonly ModelFixture XClip = new("xclip-tiny");
    private static readonly ModelFixture AltClip = new("altclip-tiny");

    [TestMethod]
    public void XClipEmbeddingsAndZeroShotLogitsMatchTheReference()
    {
        using var embedder = new XClipEmbedder(XClipModel.FromPretrained(XClip.Folder), new FixtureTokenizer(XClip.Inputs), ownsModel: true);
        VideoInput[] videos = Rows(XClip.Pixels()).Select(VideoInput.FromPixels).ToArray();

        XClip.AssertClose("get_text_features", Stack(embedder.EmbedTexts(["t0", "t1", "t2"])));
        XClip.AssertClose("get_video_features", Stack(embedder.EmbedVideos(videos)));
        XClip.AssertClose("logits_per_video", Stack(embedder.ScoreLogits(videos, [["t0"], ["t1"], ["t2"]])));
        Assert.AreEqual(24, embedder.Dimension);
        Assert.AreEqual(3 * 3 * 32 * 32, embedder.PixelValueCount);
    }

    [TestMethod]
    public void XClipClassLogitIsTheMeanOverItsPromptsAndBatchingChangesNothing()
    {
        using var embedder = new XClipEmbedder(XClipModel.FromPretrained(XClip.Folder), new FixtureTokenizer(XClip.Inputs), ownsModel: true);
        VideoInput[] videos = Rows(XClip.Pixels()).Select(VideoInput.FromPixels).ToArray();
        float[][] perPrompt = embedder.ScoreLogits(videos, [["t0"], ["t1"], ["t2"]]);

        float[][] perClass = embedder.ScoreLogits(videos, [["t0", "t1"], ["t2"]]);

        for (int v = 0; v < 2; v++)
        {
            Assert.AreEqual((perPrompt[v][0] + perPrompt[v][1]) / 2, perClass[v][0], 1e-4f);
            Assert.AreEqual(perPrompt[v][2], perClass[v][1], 1e-4f);
            TensorAssert.Close(embedder.EmbedVideos(videos)[v], embedder.EmbedVideos([videos[v]])[0], 1e-5f, $"video {v} alone");
        }
    }

    [TestMethod]
    public void AltClipEmbeddingsAndZeroShotLogitsMatchTheReference()
    {
        using var embedder = new AltClipEmbedder(AltClipModel.FromPretrained(AltClip.Folder), new FixtureTokenizer(AltClip.Inputs), ownsModel: true);
        ImageInput[] images = Rows(AltClip.Pixels()).Select(ImageInput.FromPixels).ToArray();

        AltClip.AssertClose("get_text_features", Stack(embedder.EmbedTexts(["t0", "t1", "t2"])));
        AltClip.AssertClose("get_image_features", Stack(embedder.EmbedImages(images)));
        AltClip.AssertClose("logits_per_image", Stack(embedder.ScoreLogits(images, [["t0"], ["t1"], ["t2"]])));
    }

    [TestMethod]
    public void ZeroShotClassifierOnTheFixtureGivesTheSoftmaxOfTheReferenceLogits()
    {
        using var embedder = new XClipEmbedder(XClipModel.FromPretrained(XClip.Folder), new FixtureTokenizer(XClip.Inputs), ownsModel: true);
        var classifier = new ZeroShotClassifier<VideoInput>(embedder, ["0", "1", "2"], ["t{}"]);
        Tensor expected = XClip.Expected.LoadFloat32("logits_per_video"); // [2, 3]

        ClassPrediction[] predictions = classifier.Classify(Rows(XClip.Pixels()).Select(VideoInput.FromPixels).ToArray());

        for (int v = 0; v < 2; v++)
        {
            float[] probabilities = EmbeddingMath.Softmax(expected.Span.Slice(v * 3, 3));
            TensorAssert.Close(probabilities, predictions[v].Probabilities, 1e-4f, $"video {v}");
            Assert.AreEqual(EmbeddingMath.ArgMax(expected.Span.Slice(v * 3, 3)), predictions[v].PredictedIndex);
        }
    }

    [TestMethod]
    public void FewShotHeadsTrainOnFixtureEmbeddings()
    {
        using var embedder = new AltClipEmbedder(AltClipModel.FromPretrained(AltClip.Folder), new FixtureTokenizer(AltClip.Inputs), ownsModel: true);
        float[][] images = embedder.EmbedImages(Rows(AltClip.Pixels()).Select(ImageInput.FromPixels).ToArray());
        float[][] texts = embedder.EmbedTexts(["t0", "t1"]);

        var prototypes = PrototypeClassifier.Fit(images, [0, 1], labelNames: ["a", "b"]);
        var probe = LogisticRegressionHead.Train(images, [0, 1], labelNames: ["a", "b"]);
        var blend = new PrototypeZeroShotBlend(prototypes, texts, prototypeWeight: 1);

        for (int i = 0; i < 2; i++)
        {
            Assert.AreEqual(i, prototypes.Predict(images[i]).PredictedIndex, "one-shot prototypes recover their own examples");
            Assert.AreEqual(i, probe.Predict(images[i]).PredictedIndex, "the probe separates its training examples");
            CollectionAssert.AreEqual(prototypes.Logits(images[i]), blend.Logits(images[i]));
        }
    }

    [TestMethod]
    public void WrongPixelCountAndMissingPreprocessorAreReportedClearly()
    {
        using var embedder = new XClipEmbedder(XClipModel.FromPretrained(XClip.Folder), new FixtureTokenizer(XClip.Inputs), ownsModel: true);
        var wrong = Assert.ThrowsExactly<ArgumentException>(() => embedder.EmbedVideos([VideoInput.FromPixels(new float[10])]));
        StringAssert.Contains(wrong.Message, "10 pixel values");
        StringAssert.Contains(wrong.Message, "[3, 3, 32, 32] = 9216");

        var noProcessor = Assert.ThrowsExactly<InvalidOperationException>(() => embedder.EmbedVideos([VideoInput.FromFile("clip.mp4")]));
        StringAssert.Contains(noProcessor.Message, "preprocessor_config.json");
    }

    [TestMethod]
    public void VideoFilesAndFrameFilesGoThroughTheModelsPreprocessor()
    {
        string folder = Directory.CreateTempSubdirectory("xclip-tiny-").FullName;
        try
        {
            File.Copy(Path.Combine(XClip.Folder, "config.json"), Path.Combine(folder, "config.json"));
            string processorConfig = File.ReadAllText(TestFixtures.Path("processors/configs/xclip-base-patch32/preprocessor_config.json"))
                .Replace("\"size\": 224", "\"size\": {\"shortest_edge\": 32}, \"crop_size\": {\"height\": 32, \"width\": 32}", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(folder, "preprocessor_config.json"), processorConfig);
            var preprocessor = VisionPreprocessor.FromPretrained(folder);
            using var model = XClipModel.FromPretrained(XClip.Folder);
            var embedder = new XClipEmbedder(model, new FixtureTokenizer(XClip.Inputs), preprocessor);
            string video = TestFixtures.Path("processors/videos/testsrc.mp4");
            string[] frames = Directory.GetFiles(TestFixtures.Path("processors/videos/testsrc_frames"), "*.png").Order(StringComparer.Ordinal).Take(3).ToArray();

            float[][] embedded = embedder.EmbedVideos([VideoInput.FromFile(video), VideoInput.FromFrames(frames)]);

            Tensor fromFile = model.GetVideoFeatures(preprocessor.Process([video]));
            Tensor fromFrames = model.GetVideoFeatures(preprocessor.Process(frames));
            TensorAssert.Close(fromFile.Span, embedded[0], 1e-5f, "video file");
            TensorAssert.Close(fromFrames.Span, embedded[1], 1e-5f, "frame files");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static float[][] Rows(Tensor t)
    {
        int row = t.Span.Length / t.Dim(0);
        return Enumerable.Range(0, t.Dim(0)).Select(i => t.Span.Slice(i * row, row).ToArray()).ToArray();
    }

    private static Tensor Stack(float[][] rows)
    {
        var t = new Tensor(rows.Length, rows[0].Length);
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i].CopyTo(t.Span.Slice(i * rows[0].Length));
        }

        return t;
    }
}
