using System.Text;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Tests.Tokenizers;

/// <summary>
/// The XLM-R tokenizer through the <see cref="Tokenizer"/> abstraction of Microsoft.ML.Tokenizers: every line of
/// tests/fixtures/tokenizers/xlm-roberta-surrogate/expected.jsonl, offsets into the original text, maximum token counts.
/// </summary>
[TestClass]
public sealed class XlmRobertaUnigramTokenizerTests
{
    private const int UnknownId = 3;
    private static readonly IReadOnlyList<TokenizerCase> Cases = TokenizerCase.Load("xlm-roberta-surrogate");
    private static readonly Lazy<XlmRobertaUnigramTokenizer> FromModel = new(() =>
        XlmRobertaTokenizer.FromSentencePieceModel(FixturePath("sentencepiece.bpe.model")).AsTokenizer());

    private static IEnumerable<string> AllTexts => Cases.Select(c => c.Text).Concat(OffsetTexts.Hard);

    private static string FixturePath(string file) => TestFixtures.Path($"tokenizers/xlm-roberta-surrogate/{file}");

    [TestMethod]
    public void SentencePieceModelMatchesEveryFixtureLine() =>
        TokenizerAbstractionChecks.AssertFixtureLines(FromModel.Value, Cases, padId: 1);

    [TestMethod]
    public void TokenizerJsonMatchesEveryFixtureLine() =>
        TokenizerAbstractionChecks.AssertFixtureLines(XlmRobertaTokenizer.FromTokenizerJson(FixturePath("tokenizer.json")).AsTokenizer(), Cases, padId: 1);

    [TestMethod]
    public void FromPretrainedReadsTheFolder()
    {
        Tokenizer tokenizer = XlmRobertaUnigramTokenizer.FromPretrained(TestFixtures.Path("tokenizers/xlm-roberta-surrogate"));
        CollectionAssert.AreEqual(Cases[0].Ids, tokenizer.EncodeToIds(Cases[0].Text).ToArray());
        Assert.IsInstanceOfType<XlmRobertaUnigramTokenizer>(PretrainedTokenizer.FromPretrained(TestFixtures.Path("tokenizers/xlm-roberta-surrogate")));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => XlmRobertaUnigramTokenizer.FromPretrained(TestFixtures.Path("tokenizers/clip")));
        StringAssert.Contains(error.Message, "CLIP");
    }

    [TestMethod]
    public void OffsetsCoverWhatEachTokenWasMadeFrom() =>
        TokenizerAbstractionChecks.AssertOffsets(FromModel.Value, AllTexts, Produced, Expected);

    [TestMethod]
    public void UnknownRunsAreOneTokenCoveringTheRun()
    {
        // Two unassigned code points in a row: one fused <unk> covering both (4 UTF-16 units with the surrogate pair).
        const string text = "ab \u0378\U000E0080 cd";
        var tokens = FromModel.Value.EncodeToTokens(text, out _);
        var unknown = tokens.Where(t => t.Id == UnknownId).ToList();
        Assert.AreEqual(1, unknown.Count, string.Join(" ", tokens.Select(t => t.Value)));
        Assert.AreEqual("\u0378\U000E0080", text[unknown[0].Offset]);
        Assert.AreEqual("\u0378\U000E0080", unknown[0].Value, "as in the Rust library, an unknown token's string is its text");
    }

    [TestMethod]
    public void OffsetsSurviveTheCharsMap()
    {
        // NFKC through the precompiled charsmap: "ＡＢＣ" (full width) is "ABC"; "ﬁ" is "fi". Each token maps back into
        // the original characters, and the spaces a ▁ stands for are in its token's range.
        const string text = "ＡＢＣ  ﬁne";
        var tokens = FromModel.Value.EncodeToTokens(text, out _);
        var pieces = tokens.Skip(1).Take(tokens.Count - 2).ToList();
        Assert.AreEqual(0, pieces[0].Offset.Start.Value);
        Assert.AreEqual(text.Length, pieces[^1].Offset.End.Value);
        string covered = string.Concat(pieces.Select(p => text[p.Offset]));
        Assert.AreEqual(text, covered, string.Join(" ", pieces.Select(p => $"{p.Value}@{p.Offset}")));
    }

    [TestMethod]
    public void MaxTokenCountsAgreeWithTruncation() =>
        TokenizerAbstractionChecks.AssertMaxTokenCounts(FromModel.Value, AllTexts.Where(t => t.Length < 120));

    [TestMethod]
    public void TokensViaTheAbstractionEqualTheEngineOnRandomText()
    {
        var tokenizer = FromModel.Value;
        var texts = TokenizerAbstractionChecks.RandomTexts(new[] { "a", "B", "é", "e\u0301", " ", "  ", "\t", "猫", "🐱", "‍", "İ", "ﬁ", "Ａ", "½", "<s>", "<mask>", "\u0378", "Σ", "\uFF76\uFF9E" });
        TokenizerAbstractionChecks.AssertSameIdsAsTheEngine(tokenizer, texts.Concat(AllTexts));
        TokenizerAbstractionChecks.AssertOffsets(tokenizer, texts, Produced, Expected);
    }

    // What the original characters become: their normalised text without white space, in UTF-8 (a ▁ may stand
    // for a space or come from nothing, so spaces and ▁ are compared by the explicit tests, not here).
    // The normaliser strips white space at the end of the whole text only: a letter after the piece keeps it.
    private static byte[] Expected(string original) =>
        Encoding.UTF8.GetBytes(FromModel.Value.XlmRobertaTokenizer.Normalize(UnicodeText.ReplaceLoneSurrogates(original) + "x")[..^1]
            .Replace(" ", string.Empty).Replace("\u2581", string.Empty));

    // What an XLM-R token produces: its string (an unknown token's is the text it stands for) without ▁ and spaces.
    private static byte[] Produced(EncodedToken token) =>
        Encoding.UTF8.GetBytes(token.Value.Replace(" ", string.Empty).Replace("\u2581", string.Empty));
}
