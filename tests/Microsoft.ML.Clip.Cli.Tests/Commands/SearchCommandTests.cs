using System.Globalization;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

[TestClass]
public sealed class SearchCommandTests
{
    [TestMethod]
    public void RanksTheEmbeddedImagesByCosineToTheQuery()
    {
        using var temp = new TempFolder();
        string[] images = Fixtures.RgbImageNames.Select(Fixtures.Image).ToArray();
        string index = temp.File("images.safetensors");
        Assert.AreEqual(0, CliRunner.Run(["embed", .. images, "-o", index, "-m", TinyModels.AltClip]).ExitCode);

        // The query embedding, made by the same command, gives the expected ranking.
        File.WriteAllText(temp.File("q.txt"), "一只猫\n");
        Assert.AreEqual(0, CliRunner.Run("embed", temp.File("q.txt"), "-o", temp.File("q.jsonl"), "-m", TinyModels.AltClip).ExitCode);
        float[] query = EmbeddingFile.Load(temp.File("q.jsonl")).Vectors[0];
        EmbeddingFile file = EmbeddingFile.Load(index);
        double[] cosines = file.Vectors.Select(v => Cosine(v, query)).ToArray();
        string[] expectedOrder = Enumerable.Range(0, images.Length).OrderByDescending(i => cosines[i]).ThenBy(i => i).Take(3).Select(i => images[i]).ToArray();

        // The model is read from the file (no --model).
        CliResult result = CliRunner.Run("search", index, "--query", "一只猫", "--top", "3");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        string[] lines = result.OutLines;
        Assert.AreEqual(4, lines.Length, result.Out);
        StringAssert.StartsWith(lines[0].Trim(), "rank");
        for (int r = 0; r < 3; r++)
        {
            string[] parts = lines[r + 1].Trim().Split("  ", 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.AreEqual((r + 1).ToString(CultureInfo.InvariantCulture), parts[0]);
            Assert.AreEqual(expectedOrder[r], parts[2], $"rank {r + 1}");
            Assert.AreEqual(cosines[Array.IndexOf(images, expectedOrder[r])], double.Parse(parts[1], CultureInfo.InvariantCulture), 1e-4);
        }
    }

    [TestMethod]
    public void MissingFileSaysHowToMakeOne()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run("search", temp.File("none.csv"), "--query", "x");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "clip embed");
    }

    [TestMethod]
    public void ModelOfAnotherSizeIsRejected()
    {
        using var temp = new TempFolder();
        var file = new EmbeddingFile(new EmbeddingProvenance(TinyModels.AltClip, null, null, null, null, null));
        file.Add("a.png", [1, 2, 3]);
        file.Save(temp.File("e.csv"));
        CliResult result = CliRunner.Run("search", temp.File("e.csv"), "--query", "x");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "3-dimensional");
    }

    [TestMethod]
    public void MissingQueryIsAUsageError()
    {
        CliResult result = CliRunner.Run("search", "e.csv");
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "--query");
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
