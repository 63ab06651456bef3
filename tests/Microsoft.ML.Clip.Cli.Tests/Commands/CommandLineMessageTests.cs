using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

/// <summary>Bad input is reported in command-line terms: the option or file, what was expected, what was found (issue 16).</summary>
[TestClass]
public sealed class CommandLineMessageTests
{
    [TestMethod]
    public void MaxLengthTooShortForTheSpecialTokens()
    {
        CliResult result = CliRunner.Run(["tokenize", "--model", TinyModels.XClip, "--max-length", "1"], stdin: "hello world\n");
        AssertUsage(result, "--max-length must be at least 2");
    }

    [TestMethod]
    public void SevenImagesForAThreeFrameModel()
    {
        using var temp = new TempFolder();
        string[] images = Enumerable.Range(0, 7).Select(_ => Fixtures.Image("rgb_97x61")).ToArray();
        CliResult result = CliRunner.Run(["preprocess", .. images, "--model", TinyModels.XClip, "--output", temp.File("p.safetensors")]);
        AssertUsage(result, "7 images were given as the frames of one video");
        StringAssert.Contains(result.Error, "give exactly 3 images");
    }

    [TestMethod]
    public void MissingFfmpegIsExplainedWithoutDotNetApi()
    {
        string message = CliApp.CommandLineMessage(new Vision.FfmpegNotFoundException("ffprobe"));
        StringAssert.Contains(message, "'ffprobe'");
        StringAssert.Contains(message, "CLIP_FFMPEG");
        Assert.IsFalse(message.Contains("FfmpegTools", StringComparison.Ordinal), message);
        Assert.IsFalse(message.Contains("Parameter", StringComparison.Ordinal), message);
    }

    [TestMethod]
    public void IntegerEmbeddingsAreRefusedInTermsOfTheFile()
    {
        using var temp = new TempFolder();
        new SafeTensorsWriter()
            .Add("embeddings", new long[] { 1, 2, 3, 4 }, [2, 2])
            .SetMetadata("inputs", "[\"a\",\"b\"]")
            .SetMetadata("model", TinyModels.AltClip)
            .Save(temp.File("i.safetensors"));
        CliResult result = CliRunner.Run("search", temp.File("i.safetensors"), "--query", "x");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "i.safetensors");
        StringAssert.Contains(result.Error, "convert the tensor to float32");
        Assert.IsFalse(result.Error.Contains("LoadInt64", StringComparison.Ordinal), result.Error);
    }

    [TestMethod]
    public void AnEmptyLabelIsNamed()
    {
        CliResult result = CliRunner.Run("classify", Fixtures.TestsrcVideo, "--labels", "a,,b", "--model", TinyModels.XClip);
        AssertUsage(result, "--labels 'a,,b': label 2 is empty");
    }

    [TestMethod]
    public void GarbageConfigNamesTheFile()
    {
        using var temp = new TempFolder();
        string folder = CopyOf(TinyModels.XClip, temp.File("model"));
        File.WriteAllText(Path.Combine(folder, "config.json"), "{\"model_type\": \"xclip\", garbage");
        CliResult result = CliRunner.Run("classify", Fixtures.TestsrcVideo, "--labels", "a,b", "--model", folder);
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, Path.Combine(folder, "config.json") + "' is not valid JSON");
    }

    [TestMethod]
    public void AWeightFileGivenAsTheModelPointsToItsFolder()
    {
        string weights = Path.Combine(TinyModels.XClip, "model.safetensors");
        CliResult result = CliRunner.Run("classify", Fixtures.TestsrcVideo, "--labels", "a,b", "--model", weights);
        AssertUsage(result, $"--model '{weights}' is a file; pass the model folder that holds it ('{TinyModels.XClip}'");
    }

    [TestMethod]
    public void AFolderAsTheOutputFile()
    {
        using var temp = new TempFolder();
        CliResult embed = CliRunner.Run("embed", Fixtures.Image("rgb_97x61"), "--out", temp.Path, "-m", TinyModels.AltClip);
        AssertUsage(embed, $"--out '{temp.Path}' is a folder; give a file in it");
        CliResult preprocess = CliRunner.Run("preprocess", Fixtures.Image("rgb_97x61"), "--output", temp.Path, "-m", TinyModels.AltClip);
        AssertUsage(preprocess, $"--output '{temp.Path}' is a folder");
        CliResult missing = CliRunner.Run("embed", Fixtures.Image("rgb_97x61"), "--out", temp.File("no/such/e.csv"), "-m", TinyModels.AltClip);
        AssertUsage(missing, "does not exist; create it first");
    }

    [TestMethod]
    public void SearchOnAFolder()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run("search", temp.Path, "--query", "x");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, $"'{temp.Path}' is a folder; pass the embeddings file");
    }

    [TestMethod]
    public void AHugeImageSizeIsReportedWithoutOverflow()
    {
        using var temp = new TempFolder();
        string folder = CopyOf(TinyModels.XClip, temp.File("model"));
        string config = File.ReadAllText(Path.Combine(folder, "config.json"));
        var json = System.Text.Json.Nodes.JsonNode.Parse(config)!;
        json["vision_config"]!["image_size"] = 1000000;
        File.WriteAllText(Path.Combine(folder, "config.json"), json.ToJsonString());
        CliResult result = CliRunner.Run("classify", Fixtures.TestsrcVideo, "--labels", "a,b", "--model", folder);
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "vision_config.image_size 1000000 with patch_size");
        Assert.IsFalse(System.Text.RegularExpressions.Regex.IsMatch(result.Error, @"\[-\d"), "no negative shape: " + result.Error);
    }

    [TestMethod]
    public void PreprocessWritesOnlySafetensors()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run("preprocess", Fixtures.Image("rgb_97x61"), "--output", temp.File("x.csv"), "-m", TinyModels.AltClip);
        AssertUsage(result, "--output '" + temp.File("x.csv") + "': this command writes safetensors only");
        Assert.IsFalse(File.Exists(temp.File("x.csv")));
    }

    [TestMethod]
    public void ClassifyOnAFolderWithoutMedia()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("notes.md"), "no media here");
        CliResult result = CliRunner.Run("classify", temp.Path, "--labels", "a,b", "--model", TinyModels.XClip);
        AssertUsage(result, "nothing to classify");
        Assert.AreEqual(string.Empty, result.Out);
    }

    [TestMethod]
    public void LabelsWithCommasFromRepeatedLabelAndALabelsFile()
    {
        using var temp = new TempFolder();
        File.WriteAllLines(temp.File("labels.txt"), ["cooking, baking", "", "  dancing  "]);
        CliResult result = CliRunner.Run(
            "classify", Fixtures.TestsrcVideo, "--label", "playing guitar, loudly", "--labels-file", temp.File("labels.txt"), "--model", TinyModels.XClip, "--json");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(result.OutLines[0]);
        CollectionAssert.AreEquivalent(
            new[] { "playing guitar, loudly", "cooking, baking", "dancing" },
            doc.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetString()).ToArray());

        AssertUsage(CliRunner.Run("classify", Fixtures.TestsrcVideo, "--model", TinyModels.XClip), "no labels given");
        AssertUsage(CliRunner.Run("classify", Fixtures.TestsrcVideo, "--label", "a", "--model", TinyModels.XClip), "--label gives 1 label(s)");
        AssertUsage(CliRunner.Run("classify", Fixtures.TestsrcVideo, "--labels", "a,b", "--label", "a", "--model", TinyModels.XClip), "--labels + --label lists the label 'a' twice");
    }

    /// <summary>Copies a model folder (to change one file of it).</summary>
    internal static string CopyOf(string model, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.GetFiles(model))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        return folder;
    }

    private static void AssertUsage(CliResult result, string message)
    {
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, message, result.ToString());
        Assert.IsFalse(result.Error.Contains("(Parameter '", StringComparison.Ordinal), result.Error);
    }
}
