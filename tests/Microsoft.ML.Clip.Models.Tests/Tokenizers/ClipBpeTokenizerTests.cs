using System.Text;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Tests.Tokenizers;

/// <summary>
/// The CLIP tokenizer through the <see cref="Tokenizer"/> abstraction of Microsoft.ML.Tokenizers: every line of
/// tests/fixtures/tokenizers/clip/expected.jsonl, offsets into the original text, maximum token counts.
/// </summary>
[TestClass]
public sealed class ClipBpeTokenizerTests
{
    private static readonly IReadOnlyList<TokenizerCase> Cases = TokenizerCase.Load("clip");

    private static IEnumerable<string> AllTexts => Cases.Select(c => c.Text).Concat(OffsetTexts.Hard);

    [TestMethod]
    public void EmbeddedVocabularyMatchesEveryFixtureLine() =>
        TokenizerAbstractionChecks.AssertFixtureLines(ClipBpeTokenizer.CreateDefault(), Cases, padId: 49407);

    [TestMethod]
    public void TokenizerJsonMatchesEveryFixtureLine() =>
        TokenizerAbstractionChecks.AssertFixtureLines(
            ClipTokenizer.FromTokenizerJson(TestFixtures.Path("tokenizers/clip/tokenizer.json")).AsTokenizer(), Cases, padId: 49407);

    [TestMethod]
    public void FromPretrainedReadsTheFolder()
    {
        Tokenizer tokenizer = ClipBpeTokenizer.FromPretrained(TestFixtures.Path("tokenizers/clip"));
        CollectionAssert.AreEqual(Cases[0].Ids, tokenizer.EncodeToIds(Cases[0].Text).ToArray());
        Assert.IsInstanceOfType<ClipBpeTokenizer>(PretrainedTokenizer.FromPretrained(TestFixtures.Path("tokenizers/clip")));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ClipBpeTokenizer.FromPretrained(TestFixtures.Path("tokenizers/xlm-roberta-surrogate")));
        StringAssert.Contains(error.Message, "XLM-RoBERTa");
    }

    [TestMethod]
    public void OffsetsCoverWhatEachTokenWasMadeFrom() =>
        TokenizerAbstractionChecks.AssertOffsets(ClipBpeTokenizer.CreateDefault(), AllTexts, Produced, Expected);

    [TestMethod]
    public void OffsetsOfAKnownText()
    {
        // Lower-cased, spaces dropped, "É" two UTF-8 bytes inside one token, and 猫's three bytes (E7 8C AB) three
        // tokens: the first two are empty at its start, the last covers it.
        const string text = "  A  Photo,\tCAFÉ 猫";
        var tokens = ClipBpeTokenizer.CreateDefault().EncodeToTokens(text, out string? normalized);
        Assert.IsNull(normalized);
        string actual = string.Join(" ", tokens.Select(t => $"{t.Value}@{t.Offset.Start.Value}..{t.Offset.End.Value}"));
        Assert.AreEqual("<|startoftext|>@0..0 a</w>@2..3 photo</w>@5..10 ,</w>@10..11 cafÃ©</w>@12..16 ç@17..17 Į@17..17 «</w>@17..18 <|endoftext|>@18..18", actual);
    }

    [TestMethod]
    public void MaxTokenCountsAgreeWithTruncation() =>
        TokenizerAbstractionChecks.AssertMaxTokenCounts(ClipBpeTokenizer.CreateDefault(), AllTexts.Where(t => t.Length < 120));

    [TestMethod]
    public void EncodeToIdsWithAMaximumIsWhatTheTextModelTakes()
    {
        // 100 words: 77 ids = start, 75 pieces, end; the cut is after the 75th word and the text index points there.
        string text = string.Join(" ", Enumerable.Repeat("cat", 100));
        Tokenizer tokenizer = ClipBpeTokenizer.CreateDefault();
        var ids = tokenizer.EncodeToIds(text, 77, out string? normalized, out int consumed);
        Assert.IsNull(normalized);
        Assert.AreEqual(77, ids.Count);
        Assert.AreEqual(49406, ids[0]);
        Assert.AreEqual(49407, ids[^1]);
        Assert.AreEqual(75 * 4 - 1, consumed);
        Assert.AreEqual(0, tokenizer.GetIndexByTokenCountFromEnd(text, 1000, out _, out int all));
        Assert.AreEqual(102, all);
        Assert.AreEqual(text.Length - 3, tokenizer.GetIndexByTokenCountFromEnd(text, 3, out _, out int three));
        Assert.AreEqual(3, three);
    }

    [TestMethod]
    public void AMaximumNeverCutsACharacter()
    {
        // "a 猫" is a</w> ç Į «</w>: 猫 is three byte tokens, so no cut may fall between them.
        Tokenizer tokenizer = ClipBpeTokenizer.CreateDefault();
        Assert.AreEqual(6, tokenizer.CountTokens("a 猫"));
        var ids = tokenizer.EncodeToIds("a 猫", 4, out _, out int consumed);
        CollectionAssert.AreEqual(new[] { 49406, 320, 49407 }, ids.ToArray());
        Assert.AreEqual(1, consumed);
        Assert.AreEqual(1, tokenizer.GetIndexByTokenCount("a 猫", 5, out _, out int count));
        Assert.AreEqual(3, count);
        Assert.AreEqual(3, tokenizer.GetIndexByTokenCountFromEnd("a 猫", 4, out _, out count));
        Assert.AreEqual(2, count);
        Assert.AreEqual(2, tokenizer.GetIndexByTokenCountFromEnd("a 猫", 5, out _, out count));
        Assert.AreEqual(5, count);
    }

    [TestMethod]
    public void WithoutNormalizationTheTextIsTokenisedAsGiven()
    {
        Tokenizer tokenizer = ClipBpeTokenizer.CreateDefault();
        var raw = tokenizer.EncodeToIds("A CAT", considerNormalization: false);
        CollectionAssert.AreNotEqual(tokenizer.EncodeToIds("a cat").ToArray(), raw.ToArray());
        CollectionAssert.AreEqual(tokenizer.EncodeToIds("a cat").ToArray(), tokenizer.EncodeToIds("A CAT").ToArray());
        Assert.AreEqual(raw.Count, tokenizer.CountTokens("A CAT", considerNormalization: false));
        var tokens = tokenizer.EncodeToTokens("A CAT", out _, considerNormalization: false);
        CollectionAssert.AreEqual(raw.ToArray(), tokens.Select(t => t.Id).ToArray());
        Assert.AreEqual("A", "A CAT"[tokens[1].Offset]);
    }

    [TestMethod]
    public void DecodeIntoASpan()
    {
        Tokenizer tokenizer = ClipBpeTokenizer.CreateDefault();
        int[] ids = tokenizer.EncodeToIds("a photo of a cat").ToArray();
        string expected = "<|startoftext|>a photo of a cat <|endoftext|>";
        Assert.AreEqual(expected, tokenizer.Decode(ids));
        var small = new char[10];
        Assert.AreEqual(System.Buffers.OperationStatus.DestinationTooSmall, tokenizer.Decode(ids, small, out int consumed, out int written));
        Assert.AreEqual((0, 0), (consumed, written));
        var large = new char[100];
        Assert.AreEqual(System.Buffers.OperationStatus.Done, tokenizer.Decode(ids, large, out consumed, out written));
        Assert.AreEqual((ids.Length, expected), (consumed, new string(large, 0, written)));
    }

    [TestMethod]
    public void TokensViaTheAbstractionEqualTheEngineOnRandomText()
    {
        var tokenizer = ClipBpeTokenizer.CreateDefault();
        var texts = TokenizerAbstractionChecks.RandomTexts(new[] { "a", "B", "é", "e\u0301", " ", "  ", "\t", "猫", "🐱", "‍", "İ", "ﬁ", "'s", ",", "1", "<|startoftext|>", "\u0378", "Σ" });
        TokenizerAbstractionChecks.AssertSameIdsAsTheEngine(tokenizer, texts.Concat(AllTexts));
        TokenizerAbstractionChecks.AssertOffsets(tokenizer, texts, Produced, Expected);
    }

    // What the original characters become: their normalised text in UTF-8 (spaces between words are in no token).
    private static byte[] Expected(string original) =>
        Encoding.UTF8.GetBytes(ClipTextNormalizer.Normalize(UnicodeText.ReplaceLoneSurrogates(original)).Replace(" ", string.Empty));

    // What a CLIP token produces: its bytes, back from the byte-level alphabet, with "</w>" dropped.
    private static byte[] Produced(EncodedToken token)
    {
        string value = token.Value.EndsWith("</w>", StringComparison.Ordinal) ? token.Value[..^4] : token.Value;
        var bytes = new List<byte>();
        foreach (char c in value)
        {
            int b = ByteLevelAlphabet.ToByte(c);
            Assert.IsTrue(b >= 0, $"token {token.Value} has a character outside the byte-level alphabet");
            bytes.Add((byte)b);
        }

        return bytes.ToArray();
    }
}
