using System.Text.Json;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

/// <summary>
/// <c>--precision float32|int8</c>: parsed with a clear error, recorded in every embeddings format, and never mixed —
/// a file or dataset of one precision is not resumed or searched in the other.
/// </summary>
[TestClass]
public sealed class PrecisionTests
{
    [TestMethod]
    public void AnUnknownPrecisionIsAUsageErrorOnEveryCommand()
    {
        using var temp = new TempFolder();
        string[][] commands =
        [
            ["embed", Fixtures.Image("rgb_97x61"), "-o", temp.File("e.csv"), "-m", TinyModels.AltClip],
            ["classify", Fixtures.Image("rgb_97x61"), "--labels", "a,b", "-m", TinyModels.AltClip],
            ["forward", "-m", Fixtures.AltClipTiny, "-i", Path.Combine(Fixtures.AltClipTiny, "inputs.safetensors"), "-o", temp.File("o.safetensors")],
            ["bench", "--filter", "gemm.peak", "--runs", "1"],
        ];
        foreach (string[] command in commands)
        {
            CliResult result = CliRunner.Run([.. command, "--precision", "fp16"]);
            Assert.AreEqual(2, result.ExitCode, result.ToString());
            StringAssert.Contains(result.Error, "--precision 'fp16': expected float32 or int8", command[0]);
        }

        Assert.IsFalse(File.Exists(temp.File("e.csv")), "nothing written");
        Assert.IsFalse(File.Exists(temp.File("o.safetensors")), "nothing written");
    }

    [TestMethod]
    public void BenchSaysWhichPrecisionAndKernelsItRuns()
    {
        CliResult result = CliRunner.Run("bench", "--filter", "gemm.peak", "--runs", "1", "--precision", "int8");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, $"int8 linear layers (int8 kernels: {Microsoft.ML.Clip.Numerics.NumericsOptions.Int8InstructionSet})");
        StringAssert.Contains(result.Out, "cos f32", "the cosine column is shown in int8");
        CliResult float32 = CliRunner.Run("bench", "--filter", "gemm.peak", "--runs", "1");
        StringAssert.Contains(float32.Error, "float32 linear layers");
        Assert.IsFalse(float32.Out.Contains("cos f32", StringComparison.Ordinal), "no cosine column in float32");
    }

    [TestMethod]
    [DataRow("e.csv")]
    [DataRow("e.jsonl")]
    [DataRow("e.safetensors")]
    public void EmbeddingsRecordTheirPrecisionAndAreNotResumedInTheOther(string name)
    {
        using var temp = new TempFolder();
        string int8 = temp.File("int8-" + name), float32 = temp.File("f32-" + name);
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.Image("rgb_97x61"), "-o", int8, "-m", TinyModels.AltClip, "--precision", "int8").ExitCode);
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.Image("rgb_97x61"), "-o", float32, "-m", TinyModels.AltClip).ExitCode);
        Assert.AreEqual("int8", EmbeddingFile.Load(int8).Provenance.Precision);
        Assert.AreEqual("float32", EmbeddingFile.Load(float32).Provenance.Precision, "float32 is recorded too, not left implicit");

        // The two embeddings of one image differ a little (int8 is not float32), but point the same way.
        float[] a = EmbeddingFile.Load(int8).Vectors[0], b = EmbeddingFile.Load(float32).Vectors[0];
        CollectionAssert.AreNotEqual(a, b);
        Assert.IsTrue(System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b) > 0.999);

        // Resuming the int8 file in float32 (the default) is refused, saying why; nothing is written.
        byte[] before = File.ReadAllBytes(int8);
        CliResult mixed = CliRunner.Run("embed", Fixtures.Image("rgb_224x224"), "-o", int8, "-m", TinyModels.AltClip);
        Assert.AreEqual(2, mixed.ExitCode, mixed.ToString());
        StringAssert.Contains(mixed.Error, "--precision ('int8' vs 'float32')");
        CollectionAssert.AreEqual(before, File.ReadAllBytes(int8));
        CliResult mixedBack = CliRunner.Run("embed", Fixtures.Image("rgb_224x224"), "-o", float32, "-m", TinyModels.AltClip, "--precision", "INT8");
        Assert.AreEqual(2, mixedBack.ExitCode, mixedBack.ToString());
        StringAssert.Contains(mixedBack.Error, "--precision ('float32' vs 'int8')");

        // In the same precision it resumes.
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.Image("rgb_224x224"), "-o", int8, "-m", TinyModels.AltClip, "--precision", "int8").ExitCode);
        Assert.AreEqual(2, EmbeddingFile.Load(int8).Count);
    }

    [TestMethod]
    public void AFileWithoutAPrecisionIsFloat32()
    {
        // Files written before the precision was recorded: only float32 existed then.
        var old = EmbeddingProvenance.FromFields(f => f switch { "model" => "m", "fingerprint" => "sha256:1", "kind" => "image", _ => null }, "old");
        Assert.IsNull(old.Precision);
        Assert.AreEqual("float32", old.EffectivePrecision);
        Assert.IsNull(old.Difference(old with { Precision = "float32" }));
        StringAssert.Contains(old.Difference(old with { Precision = "int8" }), "--precision ('float32' vs 'int8')");
        StringAssert.Contains(old.Difference(old with { Precision = "int8" }, compareSettings: false), "--precision", "search compares the precision too");

        var error = Assert.ThrowsExactly<InvalidDataException>(
            () => EmbeddingProvenance.FromFields(f => f switch { "model" => "m", "precision" => "fp16", _ => null }, "'x.csv' record 1"));
        StringAssert.Contains(error.Message, "'x.csv' record 1: 'precision' is 'fp16', expected 'float32' or 'int8'");
    }

    [TestMethod]
    public void SearchEmbedsTheQueryInTheFilesPrecision()
    {
        using var temp = new TempFolder();
        string file = temp.File("e.jsonl");
        File.WriteAllLines(temp.File("t.txt"), ["a cat", "a dog", "a car"]);
        Assert.AreEqual(0, CliRunner.Run("embed", temp.File("t.txt"), "-o", file, "-m", TinyModels.AltClip, "--precision", "int8").ExitCode);

        // The query "a dog" embedded in int8 is the file's own "a dog" row, bit for bit: cosine 1 (to float rounding).
        CliResult result = CliRunner.Run("search", file, "--query", "a dog");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        string[] best = result.OutLines.First(l => l.TrimStart().StartsWith("1 ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual("1.0000 a dog", string.Join(' ', best.Skip(1)), result.Out);
    }

    [TestMethod]
    public void ADatasetOfOnePrecisionIsNotExtendedInTheOther()
    {
        using var temp = new TempFolder();
        string dataset = temp.File("ds");
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.Image("rgb_97x61"), "-o", dataset, "--format", "parquet", "-m", TinyModels.AltClip, "--precision", "int8").ExitCode);
        CliResult mixed = CliRunner.Run("embed", Fixtures.Image("rgb_224x224"), "-o", dataset, "--format", "parquet", "-m", TinyModels.AltClip);
        Assert.AreNotEqual(0, mixed.ExitCode, mixed.ToString());
        StringAssert.Contains(mixed.Error, "--precision ('int8' vs 'float32')");
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.Image("rgb_224x224"), "-o", dataset, "--format", "parquet", "-m", TinyModels.AltClip, "--precision", "int8").ExitCode);
    }

    [TestMethod]
    public void ForwardRecordsThePrecisionAndClassifyStaysWithinTheMeasuredBound()
    {
        using var temp = new TempFolder();
        Assert.AreEqual(0, CliRunner.Run("forward", "-m", Fixtures.XClipTiny, "-i", Path.Combine(Fixtures.XClipTiny, "inputs.safetensors"), "-o", temp.File("o.safetensors"), "--precision", "int8").ExitCode);
        using (var outputs = SafeTensorsFile.Open(temp.File("o.safetensors")))
        {
            Assert.AreEqual("int8", outputs.Metadata["precision"]);
        }

        // Zero-shot on the fixture video. Measured: float32 ranks dancing 0.4831, playing guitar 0.4738, cooking 0.0431 —
        // a near tie of the tiny random model — and int8 gives 0.4666, 0.4900, 0.0433: the top two swap. So top-1
        // agreement is NOT asserted here (it holds on the model fixtures' inputs, Int8PrecisionTests); what is asserted is
        // the measured bound on the probabilities (largest change 0.017; bound 0.02) and that a swap happens only
        // within that bound of a tie.
        const double bound = 0.02;
        string[] args = ["classify", Fixtures.TestsrcVideo, "--labels", "playing guitar,cooking,dancing", "--template", "a video of {}", "-m", TinyModels.XClip, "--json"];
        CliResult float32 = CliRunner.Run(args);
        CliResult int8 = CliRunner.Run([.. args, "--precision", "int8"]);
        Assert.AreEqual(0, int8.ExitCode, int8.ToString());
        Dictionary<string, double> p32 = Probabilities(float32), p8 = Probabilities(int8);
        foreach (string label in p32.Keys)
        {
            Assert.AreEqual(p32[label], p8[label], bound, $"{label}: float32 {float32.Out} int8 {int8.Out}");
        }

        string top32 = p32.MaxBy(p => p.Value).Key, top8 = p8.MaxBy(p => p.Value).Key;
        Assert.IsTrue(top32 == top8 || p32[top32] - p32[top8] <= 2 * bound, $"top-1 {top32} vs {top8} away from a tie: float32 {float32.Out} int8 {int8.Out}");

        static Dictionary<string, double> Probabilities(CliResult r)
        {
            using JsonDocument doc = JsonDocument.Parse(r.OutLines[0]);
            string[] labels = doc.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!).ToArray();
            double[] values = doc.RootElement.GetProperty("probabilities").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            return labels.Zip(values).ToDictionary(p => p.First, p => p.Second);
        }
    }
}
