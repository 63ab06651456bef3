using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tokenizers;

namespace Microsoft.ML.Clip.Tests.Tokenizers;

/// <summary>
/// XLM-R tokenizer against every line of tests/fixtures/tokenizers/xlm-roberta-surrogate/expected.jsonl (Rust
/// tokenizers 0.23.2 on a genuine SentencePiece Unigram model of XLM-R's kind).
/// </summary>
[TestClass]
public sealed class XlmRobertaTokenizerParityTests
{
    private static readonly IReadOnlyList<TokenizerCase> Cases = TokenizerCase.Load("xlm-roberta-surrogate");

    private static string FixturePath(string file) => TestFixtures.Path($"tokenizers/xlm-roberta-surrogate/{file}");

    [TestMethod]
    public void SentencePieceModelMatchesEveryFixtureLine() =>
        TokenizerCase.AssertAll(XlmRobertaTokenizer.FromSentencePieceModel(FixturePath("sentencepiece.bpe.model")), Cases);

    [TestMethod]
    public void TokenizerJsonMatchesEveryFixtureLine() =>
        TokenizerCase.AssertAll(XlmRobertaTokenizer.FromTokenizerJson(FixturePath("tokenizer.json")), Cases);

    [TestMethod]
    public void FairseqLayoutOfTheSpecialIds()
    {
        var tokenizer = XlmRobertaTokenizer.FromSentencePieceModel(FixturePath("sentencepiece.bpe.model"));
        Assert.AreEqual(24002, tokenizer.VocabularySize);
        Assert.AreEqual(24001, tokenizer.MaskTokenId);
        Assert.AreEqual(1, tokenizer.PadTokenId);
        CollectionAssert.AreEqual(new[] { 0 }, tokenizer.PrefixIds.ToArray());
        CollectionAssert.AreEqual(new[] { 2 }, tokenizer.SuffixIds.ToArray());
        Assert.AreEqual(512, tokenizer.ModelMaxLength);
    }
}
