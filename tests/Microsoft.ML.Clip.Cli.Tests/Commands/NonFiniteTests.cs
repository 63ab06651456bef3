using System.Text.Json.Nodes;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

/// <summary>NaN and Infinity are handled on purpose in every output: refused naming the input, or null, and never ranked (issue 16).</summary>
[TestClass]
public sealed class NonFiniteTests
{
    [TestMethod]
    public void ClassifyRefusesNaNScoresNamingTheInput()
    {
        using var temp = new TempFolder();
        string model = NaNModel(temp);
        foreach (string[] extra in new[] { Array.Empty<string>(), ["--json"] })
        {
            CliResult result = CliRunner.Run(["classify", Fixtures.TestsrcVideo, "--labels", "a,b", "--model", model, .. extra]);
            Assert.AreEqual(1, result.ExitCode, result.ToString());
            StringAssert.Contains(result.Error, $"NaN or infinite scores for '{Fixtures.TestsrcVideo}'");
            Assert.AreEqual(string.Empty, result.Out);
        }
    }

    [TestMethod]
    [DataRow("e.csv")]
    [DataRow("e.jsonl")]
    [DataRow("e.safetensors")]
    public void EmbedNeverWritesNaN(string name)
    {
        using var temp = new TempFolder();
        string model = NaNModel(temp);
        CliResult stopped = CliRunner.Run("embed", Fixtures.TestsrcVideo, "-o", temp.File(name), "-m", model);
        Assert.AreEqual(1, stopped.ExitCode, stopped.ToString());
        StringAssert.Contains(stopped.Error, $"NaN or infinite values for '{Fixtures.TestsrcVideo}'");
        Assert.IsFalse(File.Exists(temp.File(name)));

        CliResult skipped = CliRunner.Run("embed", Fixtures.TestsrcVideo, "-o", temp.File(name), "-m", model, "--skip-errors");
        Assert.AreEqual(0, skipped.ExitCode, skipped.ToString());
        StringAssert.Contains(skipped.Out, "(0 new, 1 failed");
        StringAssert.Contains(File.ReadAllText(EmbeddingErrors.PathOf(temp.File(name))), "NaN or infinite values");
    }

    [TestMethod]
    public void SearchLeavesOutNaNAndInfinityFromJsonLines()
    {
        using var temp = new TempFolder();
        string[] images = [Fixtures.Image("rgb_97x61"), Fixtures.Image("rgb_224x224"), Fixtures.Image("rgb_320x240")];
        Assert.AreEqual(0, CliRunner.Run(["embed", .. images, "-o", temp.File("e.jsonl"), "-m", TinyModels.AltClip]).ExitCode);
        string[] lines = File.ReadAllLines(temp.File("e.jsonl"));
        lines[0] = Edit(lines[0], e => e[0] = null);                              // what other tools write for NaN
        lines[1] = lines[1].Replace("\"embedding\":[", "\"embedding\":[1e39,", StringComparison.Ordinal); // overflows to Infinity
        lines[1] = Edit(lines[1], e => e.RemoveAt(1));
        File.WriteAllLines(temp.File("e.jsonl"), lines);

        CliResult result = CliRunner.Run("search", temp.File("e.jsonl"), "--query", "x");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.AreEqual(2, result.OutLines.Length, result.Out);
        StringAssert.EndsWith(result.OutLines[1], images[2]);
        StringAssert.Contains(result.Error, "2 embedding(s)");
        StringAssert.Contains(result.Error, $"left out (the first: '{images[0]}')");
    }

    [TestMethod]
    public void SearchLeavesOutNaNFromCsvAndRefusesAFileOfOnlyNaN()
    {
        using var temp = new TempFolder();
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.Image("rgb_97x61"), Fixtures.Image("rgb_224x224"), "-o", temp.File("e.csv"), "-m", TinyModels.AltClip).ExitCode);
        string[] lines = File.ReadAllLines(temp.File("e.csv"));
        int lastComma = lines[1].LastIndexOf(',');
        lines[1] = lines[1][..(lastComma + 1)] + "NaN";
        File.WriteAllLines(temp.File("e.csv"), lines);
        CliResult result = CliRunner.Run("search", temp.File("e.csv"), "--query", "x");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.AreEqual(2, result.OutLines.Length, "only the finite row is ranked: " + result.Out);
        StringAssert.EndsWith(result.OutLines[1], Fixtures.Image("rgb_224x224"));

        lastComma = lines[2].LastIndexOf(',');
        lines[2] = lines[2][..(lastComma + 1)] + "Infinity";
        File.WriteAllLines(temp.File("e.csv"), lines);
        CliResult none = CliRunner.Run("search", temp.File("e.csv"), "--query", "x");
        Assert.AreEqual(1, none.ExitCode, none.ToString());
        StringAssert.Contains(none.Error, "holds no embedding without NaN or infinite values");
    }

    [TestMethod]
    public void EveryFormatWritesNonFiniteValuesItCanReadBack()
    {
        using var temp = new TempFolder();
        var file = new EmbeddingFile(new EmbeddingProvenance("m", "sha256:00", EmbeddingProvenance.ImageKind, 1, "uniform", null));
        file.Add("a", [float.NaN, float.PositiveInfinity, 1]);
        foreach (string name in new[] { "e.csv", "e.jsonl", "e.safetensors" })
        {
            file.Save(temp.File(name));
            float[] back = EmbeddingFile.Load(temp.File(name)).Vectors[0];
            Assert.IsTrue(float.IsNaN(back[0]), name);
            Assert.IsFalse(float.IsFinite(back[1]), name);
            Assert.AreEqual(1f, back[2], name);
        }

        StringAssert.Contains(File.ReadAllText(temp.File("e.jsonl")), "\"embedding\":[null,null,1]", "JSON has no NaN: null");
    }

    /// <summary>A copy of the tiny X-CLIP whose visual projection is NaN: every video embedding and score is NaN.</summary>
    private static string NaNModel(TempFolder temp)
    {
        string folder = CommandLineMessageTests.CopyOf(TinyModels.XClip, temp.File("nan-model"));
        var writer = new SafeTensorsWriter();
        using (SafeTensorsFile weights = SafeTensorsFile.Open(Path.Combine(TinyModels.XClip, "model.safetensors")))
        {
            foreach (string name in weights.Names)
            {
                TensorInfo info = weights.GetInfo(name)!;
                if (info.DataType == TensorDataType.Int64)
                {
                    var (values, shape) = weights.LoadInt64(name);
                    writer.Add(name, values, shape);
                }
                else
                {
                    float[] values = weights.LoadFloat32(name).ToArray();
                    if (name == "visual_projection.weight")
                    {
                        Array.Fill(values, float.NaN);
                    }

                    writer.Add(name, values, info.Shape);
                }
            }
        }

        writer.Save(Path.Combine(folder, "model.safetensors"));
        return folder;
    }

    private static string Edit(string line, Action<JsonArray> edit)
    {
        JsonNode row = JsonNode.Parse(line)!;
        edit(row["embedding"]!.AsArray());
        return row.ToJsonString();
    }
}
