using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Output;

[TestClass]
public sealed class EmbeddingFileTests
{
    [TestMethod]
    [DataRow("e.csv")]
    [DataRow("e.jsonl")]
    [DataRow("e.safetensors")]
    public void RoundTripsInputsModelAndValuesExactly(string name)
    {
        using var temp = new TempFolder();
        var file = new EmbeddingFile(new EmbeddingProvenance("org/model, \"quoted\"", "sha256:0123", EmbeddingProvenance.VideoKind, 8, "clips:3", null));
        file.Add("videos/a,b.mp4", [0.1f, -2.5e-7f, 3f]);
        file.Add("a line with \"quotes\"\nand a newline", [float.MaxValue, -0f, 1f / 3f]);
        file.Add("日本語のテキスト", [1, 2, 3]);
        file.Save(temp.File(name));

        EmbeddingFile loaded = EmbeddingFile.Load(temp.File(name));
        Assert.AreEqual(file.Model, loaded.Model);
        Assert.AreEqual(file.Provenance, loaded.Provenance);
        CollectionAssert.AreEqual(file.Inputs.ToArray(), loaded.Inputs.ToArray());
        for (int i = 0; i < file.Count; i++)
        {
            CollectionAssert.AreEqual(file.Vectors[i], loaded.Vectors[i], $"row {i}");
        }
    }

    [TestMethod]
    public void UnknownExtensionIsAUsageError()
    {
        var error = Assert.ThrowsExactly<UsageException>(() => new EmbeddingFile(Made("m")).Save("out.txt"));
        StringAssert.Contains(error.Message, ".csv, .jsonl or .safetensors");
    }

    [TestMethod]
    public void TruncatedCsvNamesTheFileAndRecord()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("bad.csv"), "input,model,e0,e1\na,m,1,2\nb,m,1\n");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => EmbeddingFile.Load(temp.File("bad.csv")));
        StringAssert.Contains(error.Message, "bad.csv");
        StringAssert.Contains(error.Message, "record 3");
    }

    [TestMethod]
    public void MismatchedDimensionIsRejected()
    {
        var file = new EmbeddingFile(Made("m"));
        file.Add("a", [1, 2]);
        Assert.ThrowsExactly<InvalidDataException>(() => file.Add("b", [1, 2, 3]));
    }

    private static EmbeddingProvenance Made(string model) => new(model, "sha256:00", EmbeddingProvenance.TextKind, null, null, "{}");
}
