using System.Text.Json;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tokenizers;

namespace Microsoft.ML.Clip.Tests.Tokenizers;

/// <summary>CLIP tokenizer against every line of tests/fixtures/tokenizers/clip/expected.jsonl (Rust tokenizers 0.23.2).</summary>
[TestClass]
public sealed class ClipTokenizerParityTests
{
    private static readonly IReadOnlyList<TokenizerCase> Cases = TokenizerCase.Load("clip");

    private static string FixturePath(string file) => TestFixtures.Path($"tokenizers/clip/{file}");

    [TestMethod]
    public void EmbeddedVocabularyMatchesEveryFixtureLine() =>
        TokenizerCase.AssertAll(ClipTokenizer.CreateDefault(), Cases);

    [TestMethod]
    public void VocabAndMergesFilesMatchEveryFixtureLine() =>
        TokenizerCase.AssertAll(ClipTokenizer.FromVocabularyFiles(FixturePath("vocab.json"), FixturePath("merges.txt")), Cases);

    [TestMethod]
    public void TokenizerJsonMatchesEveryFixtureLine() =>
        TokenizerCase.AssertAll(ClipTokenizer.FromTokenizerJson(FixturePath("tokenizer.json")), Cases);

    [TestMethod]
    public void TokenizerJsonWithPairMergesMatchesEveryFixtureLine()
    {
        // tokenizers >= 0.20 saves merges as ["a", "b"] pairs: rewrite the fixture's "a b" strings that way.
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(FixturePath("tokenizer.json")))!;
        var merges = json["model"]!["merges"]!.AsArray();
        var pairs = new System.Text.Json.Nodes.JsonArray();
        foreach (var merge in merges)
        {
            string[] parts = merge!.GetValue<string>().Split(' ');
            pairs.Add(new System.Text.Json.Nodes.JsonArray(parts[0], parts[1]));
        }

        json["model"]!["merges"] = pairs;
        string path = Path.Combine(Path.GetTempPath(), $"clip-pairs-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, json.ToJsonString());
            TokenizerCase.AssertAll(ClipTokenizer.FromTokenizerJson(path), Cases);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void EmbeddedVocabularyEqualsTheFixtureVocabJson()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath("vocab.json")));
        var expected = doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        var merges = File.ReadAllLines(FixturePath("merges.txt")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(' ')).Select(p => (p[0], p[1])).ToList();
        var built = ClipTokenizer.BuildClipVocabulary(merges);
        Assert.AreEqual(49408, built.Count);
        CollectionAssert.AreEquivalent(expected.ToList(), built.ToList());
        Assert.AreEqual(49408, ClipTokenizer.CreateDefault().VocabularySize);
        Assert.AreEqual(48894, ClipTokenizer.CreateDefault().MergeCount);
        Assert.AreEqual(File.ReadAllText(FixturePath("LICENSE")), ClipTokenizer.EmbeddedVocabularyLicense);
    }
}
