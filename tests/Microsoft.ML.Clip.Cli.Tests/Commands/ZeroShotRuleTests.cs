using Microsoft.ML;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;
using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

/// <summary>
/// One zero-shot rule for a video of several clips (X-CLIP's multi-view test: the mean of the clips' softmax
/// probabilities): <c>clip classify</c>, the library's <see cref="ZeroShotClassifier{TInput}"/> and the ML.NET
/// zero-shot transform give the same probabilities for the same video (issue 16).
/// </summary>
[TestClass]
public sealed class ZeroShotRuleTests
{
    private static readonly string[] Labels = ["test pattern", "cooking", "dancing"];

    [TestMethod]
    public void ClassifyAndTheMLNetClassifierAgreeOnAThreeClipVideo()
    {
        float[] cli = CliProbabilities(TinyModels.XClip, Fixtures.TestsrcVideo, "clips:3");

        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new VideoRow { Video = Fixtures.TestsrcVideo } });
        var options = new ZeroShotClassifierEstimator.Options
        {
            Family = ClipModelFamily.XClip,
            ModelPath = TinyModels.XClip,
            Labels = Labels,
            Templates = ["{}"],
            InputColumnName = "Video",
            ModelLoader = new ClipModelLoader(new VisionPreprocessorOptions { Sampling = FrameSampling.Parse("clips:3") }),
        };
        using var transformer = ml.Transforms.ZeroShotClassification(options).Fit(data);
        float[] mlnet = ml.Data.CreateEnumerable<ScoreRow>(transformer.Transform(data), reuseRowObject: false).Single().Score;

        CollectionAssert.AreEqual(cli, mlnet, new Close(1e-6f), $"clip classify [{string.Join(", ", cli)}] vs ML.NET [{string.Join(", ", mlnet)}]");
        Assert.AreEqual(1.0, mlnet.Sum(), 1e-5);
    }

    [TestMethod]
    public void ClassifyAndTheLibraryAgreeForAnImageModelsFrames()
    {
        // AltCLIP takes one frame per clip: clips:3 gives three frames, combined by the same rule.
        float[] cli = CliProbabilities(TinyModels.AltClip, Fixtures.TestsrcVideo, "clips:3");
        using AltClipEmbedder embedder = AltClipEmbedder.FromPretrained(TinyModels.AltClip);
        var withClips = new AltClipEmbedder(embedder.Model, embedder.Tokenizer,
            Vision.VisionPreprocessor.FromPretrained(TinyModels.AltClip, new VisionPreprocessorOptions { Sampling = FrameSampling.Parse("clips:3") }));
        ClassPrediction library = new ZeroShotClassifier<ImageInput>(withClips, Labels, ["{}"]).Classify(ImageInput.FromFile(Fixtures.TestsrcVideo));
        CollectionAssert.AreEqual(cli, library.Probabilities.ToArray(), new Close(1e-6f));

        // The rule itself, from the model's own pieces: each frame's softmax over 100·cos (logit_scale.exp()), then the mean.
        Numerics.Tensor pixels = withClips.Preprocessor!.Process([Fixtures.TestsrcVideo]);
        Assert.AreEqual(3, pixels.Dim(0), "three views");
        float[] frames = embedder.Model.GetImageFeatures(pixels).ToArray();
        float[][] texts = embedder.EmbedTexts(Labels);
        int d = texts[0].Length;
        var mean = new double[Labels.Length];
        for (int f = 0; f < 3; f++)
        {
            float[] logits = texts.Select(t => MathF.Exp(embedder.Model.LogitScale) * System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(frames.AsSpan(f * d, d), t)).ToArray();
            float[] p = new float[Labels.Length];
            System.Numerics.Tensors.TensorPrimitives.SoftMax(logits, p);
            for (int c = 0; c < Labels.Length; c++)
            {
                mean[c] += p[c] / 3;
            }
        }

        CollectionAssert.AreEqual(mean.Select(m => (float)m).ToArray(), cli, new Close(1e-5f), $"[{string.Join(", ", mean)}] vs clip classify [{string.Join(", ", cli)}]");
    }

    private static float[] CliProbabilities(string model, string video, string sampling)
    {
        CliResult result = CliRunner.Run("classify", video, "--labels", string.Join(",", Labels), "--model", model, "--sampling", sampling, "--json");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(result.OutLines[0]);
        string[] ranked = doc.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!).ToArray();
        float[] probabilities = doc.RootElement.GetProperty("probabilities").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        return Labels.Select(l => probabilities[Array.IndexOf(ranked, l)]).ToArray(); // back in label order
    }

    private sealed class VideoRow
    {
        public string Video { get; set; } = string.Empty;
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }

    private sealed class Close(float tolerance) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => Math.Abs((float)x! - (float)y!) <= tolerance ? 0 : 1;
    }
}
