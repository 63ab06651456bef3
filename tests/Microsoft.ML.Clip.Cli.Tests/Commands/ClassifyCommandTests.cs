using System.Globalization;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

[TestClass]
public sealed class ClassifyCommandTests
{
    [TestMethod]
    public void VideoTableMatchesTheLibrarysForwardPass()
    {
        string[] labels = ["playing guitar", "cooking", "dancing"];
        CliResult result = CliRunner.Run("classify", Fixtures.TestsrcVideo, "--labels", string.Join(",", labels), "--template", "a video of {}", "--model", TinyModels.XClip);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Dictionary<string, float> table = ParseTable(result.OutLines, labels.Length);
        CollectionAssert.AreEquivalent(labels, table.Keys.ToArray());
        Assert.AreEqual(1.0, table.Values.Sum(), 2e-4, "probabilities sum to 1");

        // The same computation through the library: processor → tokenizer → XClipModel.Forward → softmax.
        Tensor pixels = VisionPreprocessor.FromPretrained(TinyModels.XClip).Process([Fixtures.TestsrcVideo]);
        TokenizedBatch tokens = TokenizerLoader.Load(TinyModels.XClip).EncodeBatch(labels.Select(l => $"a video of {l}").ToArray(), null, Padding.Longest, truncation: true);
        using ITensorStore store = CheckpointLoader.Open(TinyModels.XClip);
        using XClipModel model = XClipModel.FromWeights(XClipConfig.FromFile(Path.Combine(TinyModels.XClip, "config.json")), store);
        Tensor logits = model.Forward(new TokenBatch(tokens.FlattenInputIds(), tokens.FlattenAttentionMask(), tokens.Count, tokens.MaxSequenceLength), pixels).LogitsPerVideo;
        float[] probabilities = new float[labels.Length];
        System.Numerics.Tensors.TensorPrimitives.SoftMax(logits.Span, probabilities);
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.AreEqual(probabilities[i], table[labels[i]], 1e-4, labels[i]);
        }

        // Ranked: probabilities never increase down the table.
        float[] column = result.OutLines.Skip(2).Select(l => float.Parse(l.Trim().Split("  ", StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture)).ToArray();
        CollectionAssert.AreEqual(column.OrderByDescending(p => p).ToArray(), column);
    }

    [TestMethod]
    public void ImagesWithMultilingualLabels()
    {
        string[] labels = ["一只猫", "un chien", "ein Auto", "a bird"];
        string[] images = [Fixtures.Image("rgb_320x240"), Fixtures.Image("gray_200x150")];
        CliResult result = CliRunner.Run(["classify", .. images, "--labels", string.Join(",", labels), "-m", TinyModels.AltClip, "--top", "2"]);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        string[] lines = result.OutLines;
        Assert.AreEqual(2 * (2 + 2), lines.Length, result.Out);
        Assert.AreEqual(images[0], lines[0]);
        Assert.AreEqual(images[1], lines[4]);
        Assert.IsTrue(lines.Skip(2).Take(2).All(l => labels.Any(l.Contains)), result.Out);
    }

    [TestMethod]
    public void MultiClipSamplingAveragesTheClipsProbabilities()
    {
        string[] labels = ["a", "b", "c"];
        CliResult result = CliRunner.Run("classify", Fixtures.TestsrcVideo, "--labels", "a,b,c", "--sampling", "clips:3", "--model", TinyModels.XClip);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Dictionary<string, float> table = ParseTable(result.OutLines, labels.Length);

        // The mean of the per-clip softmax, from the library: 3 clips → pixel_values [3, frames, 3, H, W].
        Tensor pixels = VisionPreprocessor.FromPretrained(TinyModels.XClip, new VisionPreprocessorOptions { Sampling = FrameSampling.Parse("clips:3") }).Process([Fixtures.TestsrcVideo]);
        Assert.AreEqual(3, pixels.Dim(0));
        TokenizedBatch tokens = TokenizerLoader.Load(TinyModels.XClip).EncodeBatch(labels, null, Padding.Longest, truncation: true);
        using ITensorStore store = CheckpointLoader.Open(TinyModels.XClip);
        using XClipModel model = XClipModel.FromWeights(XClipConfig.FromFile(Path.Combine(TinyModels.XClip, "config.json")), store);
        float[] logits = model.Forward(new TokenBatch(tokens.FlattenInputIds(), tokens.FlattenAttentionMask(), tokens.Count, tokens.MaxSequenceLength), pixels).LogitsPerVideo.ToArray();
        var mean = new double[labels.Length];
        for (int clip = 0; clip < 3; clip++)
        {
            var probabilities = new float[labels.Length];
            System.Numerics.Tensors.TensorPrimitives.SoftMax(logits.AsSpan(clip * labels.Length, labels.Length), probabilities);
            for (int i = 0; i < labels.Length; i++)
            {
                mean[i] += probabilities[i] / 3;
            }
        }

        for (int i = 0; i < labels.Length; i++)
        {
            Assert.AreEqual(mean[i], table[labels[i]], 1e-4, labels[i]);
        }
    }

    [TestMethod]
    public void JsonOutputMatchesTheTable()
    {
        string[] args = ["classify", Fixtures.Image("rgb_97x61"), "--labels", "一只猫,un chien,a car", "-m", TinyModels.AltClip];
        CliResult table = CliRunner.Run(args);
        CliResult json = CliRunner.Run([.. args, "--json", "--top", "2"]);
        CliResult all = CliRunner.Run([.. args, "--json"]);
        Assert.AreEqual(0, json.ExitCode, json.ToString());
        Assert.AreEqual(1, json.OutLines.Length, json.Out);
        using var doc = System.Text.Json.JsonDocument.Parse(json.OutLines[0]);
        Assert.AreEqual(Fixtures.Image("rgb_97x61"), doc.RootElement.GetProperty("input").GetString());
        string[] labels = doc.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!).ToArray();
        float[] probabilities = doc.RootElement.GetProperty("probabilities").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.AreEqual(2, labels.Length);
        Dictionary<string, float> fromTable = ParseTable(table.OutLines, 3);
        for (int i = 0; i < 2; i++)
        {
            Assert.AreEqual(fromTable[labels[i]], probabilities[i], 5e-5, labels[i]);
        }

        Assert.IsTrue(probabilities[0] >= probabilities[1], "ranked");
        StringAssert.Contains(all.Out, "\"一只猫\"", "non-ASCII labels are written as they are, not \\u-escaped");
    }

    [TestMethod]
    public void IsDeterministic()
    {
        string[] args = ["classify", Fixtures.TestsrcVideo, "--labels", "a,b,c", "--model", TinyModels.XClip];
        Assert.AreEqual(CliRunner.Run(args).Out, CliRunner.Run(args).Out);
    }

    [TestMethod]
    [DataRow("only-one")]
    [DataRow("a,,b")]
    [DataRow("a,b,a")]
    public void BadLabelsAreUsageErrors(string labels)
    {
        CliResult result = CliRunner.Run("classify", Fixtures.TestsrcVideo, "--labels", labels, "--model", TinyModels.XClip);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.StartsWith(result.Error, "clip: error: --labels");
    }

    [TestMethod]
    public void TemplateWithoutPlaceholderIsAUsageError()
    {
        CliResult result = CliRunner.Run("classify", Fixtures.TestsrcVideo, "--labels", "a,b", "--template", "a video", "--model", TinyModels.XClip);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "{}");
    }

    [TestMethod]
    public void FrameCountOtherThanTheModelsIsAUsageError()
    {
        CliResult result = CliRunner.Run("classify", Fixtures.TestsrcVideo, "--labels", "a,b", "--frames", "8", "--model", TinyModels.XClip);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "8");
        StringAssert.Contains(result.Error, "3");
    }

    [TestMethod]
    public void NotAVideoFileIsNamed()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("notes.mp4"), "not a video");
        CliResult result = CliRunner.Run("classify", temp.File("notes.mp4"), "--labels", "a,b", "--model", TinyModels.XClip);
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "notes.mp4");
        Assert.AreEqual(1, result.Error.Trim().Split('\n').Length, result.Error);
    }

    private static Dictionary<string, float> ParseTable(string[] lines, int rows)
    {
        Assert.AreEqual(2 + rows, lines.Length, string.Join("\n", lines));
        var table = new Dictionary<string, float>();
        foreach (string line in lines.Skip(2))
        {
            string[] parts = line.Trim().Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            table[parts[1]] = float.Parse(parts[^1], CultureInfo.InvariantCulture);
        }

        return table;
    }
}
