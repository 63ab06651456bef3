using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tokenizers;

namespace Microsoft.ML.Clip.Tests.Tokenizers;

/// <summary>
/// Where .NET's Unicode tables and the Rust library's differ (case pairs of Unicode 16/17, marks the Rust NFC tables
/// predate, Unicode 17 grapheme extenders, U+FFFE). Expected ids were produced by the Rust core the fixtures come
/// from (npm <c>tokenizers</c> 0.23.2, <c>Tokenizer.fromFile(tokenizer.json).encode(text)</c>).
/// </summary>
[TestClass]
public sealed class TokenizerUnicodeEdgeCaseTests
{
    [TestMethod]
    [DataRow("\u1C89\u10D50 x", new[] { 49406, 157, 110, 232, 24829, 499, 271, 343, 49407 }, DisplayName = "Unicode 16 case pair U+1C89")]
    [DataRow("x\u0301\u1DF8 e\u07FD\u0334", new[] { 49406, 343, 136, 223, 157, 115, 372, 324, 155, 121, 136, 368, 49407 }, DisplayName = "marks unknown to Rust's NFC stay in place")]
    [DataRow("\u0130stanbul \u03A3\u039F\u03A3", new[] { 49406, 328, 16384, 11231, 139, 225, 138, 123, 139, 481, 49407 }, DisplayName = "İ lower-cases to i + U+0307; no final sigma")]
    [DataRow("\U00011935\U00011930 x", new[] { 49406, 172, 239, 97, 113, 172, 239, 97, 364, 343, 49407 }, DisplayName = "a composition Rust's NFC lacks")]
    [DataRow("a\uFFFE\u0301b", new[] { 49406, 320, 27850, 122, 136, 479, 321, 49407 }, DisplayName = "U+FFFE")]
    public void ClipMatchesRust(string text, int[] expected) =>
        CollectionAssert.AreEqual(expected, ClipTokenizer.CreateDefault().Encode(text));

    [TestMethod]
    [DataRow("a\u0308\u0301\u1ADD cat", new[] { 0, 23, 3, 15700, 3, 8660, 2 }, DisplayName = "Unicode 17 mark joins the grapheme")]
    [DataRow("\n\u1AE3 x", new[] { 0, 4, 3, 420, 2 }, DisplayName = "but not after a control (GB4)")]
    [DataRow("a\u0308\u0301 b", new[] { 0, 4, 287, 279, 2 }, DisplayName = "short grapheme: shortest key wins, rest dropped")]
    public void XlmRobertaMatchesRust(string text, int[] expected)
    {
        var tokenizer = XlmRobertaTokenizer.FromSentencePieceModel(TestFixtures.Path("tokenizers/xlm-roberta-surrogate/sentencepiece.bpe.model"));
        CollectionAssert.AreEqual(expected, tokenizer.Encode(text));
    }
}
