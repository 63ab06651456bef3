using System.Text;
using System.Text.Json;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;
using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

/// <summary><c>clip tokenize</c> against every line of the tokenizer fixtures (Hugging Face's Rust tokenizers).</summary>
[TestClass]
public sealed class TokenizeCommandTests
{
    [TestMethod]
    [DataRow("clip")]
    [DataRow("xlm-roberta-surrogate")]
    public void IdsMatchTheFastTokenizerWithoutTruncation(string fixture)
    {
        var cases = Cases(fixture);
        CliResult result = CliRunner.Run(["tokenize", "--model", TestFixtures.Path($"tokenizers/{fixture}"), "--jsonl"], stdin: JsonLinesOf(cases));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        string[] lines = result.OutLines;
        Assert.AreEqual(cases.Count, lines.Length, "one output line per input");
        for (int i = 0; i < cases.Count; i++)
        {
            using JsonDocument line = JsonDocument.Parse(lines[i]);
            long[] ids = Longs(line.RootElement.GetProperty("ids"));
            CollectionAssert.AreEqual(Longs(cases[i].GetProperty("ids")), ids, $"{fixture} '{cases[i].GetProperty("name").GetString()}' ids");
            CollectionAssert.AreEqual(Enumerable.Repeat(1L, ids.Length).ToArray(), Longs(line.RootElement.GetProperty("attention_mask")), "mask is all ones without padding");
        }
    }

    [TestMethod]
    [DataRow("clip")]
    [DataRow("xlm-roberta-surrogate")]
    public void MaxLength77MatchesTheFastTokenizer(string fixture)
    {
        var cases = Cases(fixture);
        CliResult result = CliRunner.Run(
            ["tokenize", "--model", TestFixtures.Path($"tokenizers/{fixture}"), "--jsonl", "--max-length", "77", "--padding", "max_length"],
            stdin: JsonLinesOf(cases));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        string[] lines = result.OutLines;
        Assert.AreEqual(cases.Count, lines.Length);
        for (int i = 0; i < cases.Count; i++)
        {
            using JsonDocument line = JsonDocument.Parse(lines[i]);
            string name = cases[i].GetProperty("name").GetString()!;
            CollectionAssert.AreEqual(Longs(cases[i].GetProperty("ids_max77")), Longs(line.RootElement.GetProperty("ids")), $"{fixture} '{name}' ids_max77");
            CollectionAssert.AreEqual(Longs(cases[i].GetProperty("mask_max77")), Longs(line.RootElement.GetProperty("attention_mask")), $"{fixture} '{name}' mask_max77");
        }
    }

    [TestMethod]
    public void PlainLinesAndLongestPadding()
    {
        CliResult result = CliRunner.Run(["tokenize", "--model", TestFixtures.Path("tokenizers/clip"), "--padding", "longest"], stdin: "a photo of a cat\n\nhi\n");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        CollectionAssert.AreEqual(
            new[]
            {
                "{\"ids\":[49406,320,1125,539,320,2368,49407],\"attention_mask\":[1,1,1,1,1,1,1]}",
                "{\"ids\":[49406,49407,49407,49407,49407,49407,49407],\"attention_mask\":[1,1,0,0,0,0,0]}",
                "{\"ids\":[49406,1883,49407,49407,49407,49407,49407],\"attention_mask\":[1,1,1,0,0,0,0]}",
            },
            result.OutLines);
    }

    [TestMethod]
    public void BadPaddingIsAUsageError()
    {
        CliResult result = CliRunner.Run(["tokenize", "--model", TestFixtures.Path("tokenizers/clip"), "--padding", "left"], stdin: "x\n");
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "left");
    }

    [TestMethod]
    public void MalformedJsonLineIsNamed()
    {
        CliResult result = CliRunner.Run(["tokenize", "--model", TestFixtures.Path("tokenizers/clip"), "--jsonl"], stdin: "{\"text\": \"ok\"}\n{\"txt\": 1}\n");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "line 2");
    }

    [TestMethod]
    public void FolderWithoutTokenizerFilesIsExplained()
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.Run(["tokenize", "--model", temp.Path], stdin: "x\n");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "tokenizer");
    }

    private static List<JsonElement> Cases(string fixture) =>
        File.ReadLines(TestFixtures.Path($"tokenizers/{fixture}/expected.jsonl"), Encoding.UTF8)
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();

    private static string JsonLinesOf(IEnumerable<JsonElement> cases) =>
        string.Concat(cases.Select(c => JsonSerializer.Serialize(new { text = c.GetProperty("text").GetString() }) + "\n"));

    private static long[] Longs(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt64()).ToArray();
}
