using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.AltClip;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

[TestClass]
public sealed class EmbedCommandTests
{
    [TestMethod]
    [DataRow("e.csv")]
    [DataRow("e.jsonl")]
    [DataRow("e.safetensors")]
    public void VideosAndImagesWithXClip(string name)
    {
        using var temp = new TempFolder();
        string[] inputs = [Fixtures.TestsrcVideo, Fixtures.Image("rgb_320x240"), Fixtures.Image("rgb_97x61")];
        CliResult result = CliRunner.Run(["embed", .. inputs, "--out", temp.File(name), "--model", TinyModels.XClip, "--batch-size", "2"]);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Out, "3 embedding(s) of size 24");
        StringAssert.Contains(result.Error, "clip: embed 3/3", "a plain progress line when stderr is not a terminal");

        EmbeddingFile file = EmbeddingFile.Load(temp.File(name));
        CollectionAssert.AreEqual(inputs, file.Inputs.ToArray());
        Assert.AreEqual(24, file.Dimension);
        Assert.AreEqual(TinyModels.XClip, file.Model);
        Assert.IsTrue(file.Vectors.All(v => v.All(float.IsFinite) && v.Any(x => x != 0)));
        Assert.AreEqual(1, Directory.GetFiles(temp.Path).Length, "no temporary files left behind");
    }

    [TestMethod]
    public void ResumesSkippingInputsAlreadyEmbedded()
    {
        using var temp = new TempFolder();
        string output = temp.File("e.jsonl");
        string[] first = [Fixtures.Image("rgb_320x240"), Fixtures.Image("rgb_240x320")];
        Assert.AreEqual(0, CliRunner.Run(["embed", .. first, "-o", output, "-m", TinyModels.AltClip]).ExitCode);
        EmbeddingFile before = EmbeddingFile.Load(output);

        CliResult again = CliRunner.Run(["embed", .. first, Fixtures.Image("rgb_224x224"), "-o", output, "-m", TinyModels.AltClip]);
        Assert.AreEqual(0, again.ExitCode, again.ToString());
        StringAssert.Contains(again.Error, "2 input(s) already in");
        StringAssert.Contains(again.Out, "3 embedding(s) of size 24 in");
        StringAssert.Contains(again.Out, "(1 new)");
        EmbeddingFile after = EmbeddingFile.Load(output);
        Assert.AreEqual(3, after.Count);
        for (int i = 0; i < 2; i++)
        {
            CollectionAssert.AreEqual(before.Vectors[i], after.Vectors[i], "earlier rows are kept as they were");
        }
    }

    [TestMethod]
    public void IsDeterministic()
    {
        using var temp = new TempFolder();
        string[] args = ["embed", Fixtures.TestsrcVideo, Fixtures.Image("rgb_97x61"), "-m", TinyModels.AltClip, "-o"];
        Assert.AreEqual(0, CliRunner.Run([.. args, temp.File("a.safetensors")]).ExitCode);
        Assert.AreEqual(0, CliRunner.Run([.. args, temp.File("b.safetensors")]).ExitCode);
        CollectionAssert.AreEqual(File.ReadAllBytes(temp.File("a.safetensors")), File.ReadAllBytes(temp.File("b.safetensors")));
    }

    [TestMethod]
    public void TextLinesEqualTheLibrarysTextFeatures()
    {
        using var temp = new TempFolder();
        string[] texts = ["a photo of a cat", "一张狗的照片", "ein rotes Auto"];
        File.WriteAllLines(temp.File("texts.txt"), [texts[0], "", texts[1], "  ", texts[2]]);
        CliResult result = CliRunner.Run("embed", temp.File("texts.txt"), "-o", temp.File("t.csv"), "-m", TinyModels.AltClip);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        EmbeddingFile file = EmbeddingFile.Load(temp.File("t.csv"));
        CollectionAssert.AreEqual(texts, file.Inputs.ToArray());

        TokenizedBatch tokens = TokenizerLoader.Load(TinyModels.AltClip).EncodeBatch(texts, null, Padding.Longest, truncation: true);
        using ITensorStore store = CheckpointLoader.Open(TinyModels.AltClip);
        using AltClipModel model = AltClipModel.FromWeights(AltClipConfig.FromFile(Path.Combine(TinyModels.AltClip, "config.json")), store);
        float[] expected = model.GetTextFeatures(new TokenBatch(tokens.FlattenInputIds(), tokens.FlattenAttentionMask(), tokens.Count, tokens.MaxSequenceLength)).ToArray();
        TensorAssert.Close(expected, file.Vectors.SelectMany(v => v).ToArray(), 1e-6f, "text embeddings");
    }

    [TestMethod]
    public void FolderInputsAreExpandedInOrder()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("media/sub"));
        File.Copy(Fixtures.Image("rgb_97x61"), temp.File("media/b.png"));
        File.Copy(Fixtures.Image("rgb_224x224"), temp.File("media/sub/a.png"));
        File.WriteAllText(temp.File("media/readme.md"), "ignored");
        CliResult result = CliRunner.Run("embed", temp.File("media"), "-o", temp.File("e.jsonl"), "-m", TinyModels.AltClip);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        CollectionAssert.AreEqual(new[] { temp.File("media/b.png"), temp.File("media/sub/a.png") }, EmbeddingFile.Load(temp.File("e.jsonl")).Inputs.ToArray());
    }

    [TestMethod]
    public void AnotherModelsFileIsNotMixedInto()
    {
        using var temp = new TempFolder();
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.Image("rgb_97x61"), "-o", temp.File("e.csv"), "-m", TinyModels.AltClip).ExitCode);
        CliResult result = CliRunner.Run("embed", Fixtures.Image("rgb_224x224"), "-o", temp.File("e.csv"), "-m", TinyModels.XClip);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "holds embeddings of");
        Assert.AreEqual(1, EmbeddingFile.Load(temp.File("e.csv")).Count, "the file is untouched");
    }

    [TestMethod]
    public void NothingToEmbedIsAUsageError()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("empty.txt"), "\n  \n");
        CliResult result = CliRunner.Run("embed", temp.File("empty.txt"), "-o", temp.File("e.csv"), "-m", TinyModels.AltClip);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "nothing to embed");
        Assert.IsFalse(File.Exists(temp.File("e.csv")));
    }

    [TestMethod]
    public void UnknownOutputExtensionIsAUsageError()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run("embed", Fixtures.Image("rgb_97x61"), "-o", temp.File("e.parquet"), "-m", TinyModels.AltClip);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, ".csv, .jsonl or .safetensors");
    }

    [TestMethod]
    public void TerminalShowsAProgressBar()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run(["embed", Fixtures.Image("rgb_97x61"), Fixtures.Image("rgb_224x224"), "-o", temp.File("e.csv"), "-m", TinyModels.AltClip, "-b", "1"], terminal: true);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "\rembed [");
        StringAssert.Contains(result.Error, "2/2");
        StringAssert.Contains(result.Error, "ETA");
    }
}
