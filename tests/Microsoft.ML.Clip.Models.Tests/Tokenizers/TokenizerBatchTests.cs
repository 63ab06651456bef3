using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tokenizers;

namespace Microsoft.ML.Clip.Tests.Tokenizers;

/// <summary>EncodeBatch: padding, truncation and attention masks as transformers' fast tokenizers produce them.</summary>
[TestClass]
public sealed class TokenizerBatchTests
{
    private static readonly string[] Texts = { "a photo of a cat", "a dog", "" };

    [TestMethod]
    public void NoPaddingKeepsRaggedRowsAndRefusesToFlatten()
    {
        var batch = ClipTokenizer.CreateDefault().EncodeBatch(Texts);
        CollectionAssert.AreEqual(new long[] { 49406, 320, 1125, 539, 320, 2368, 49407 }, batch.InputIds[0]);
        CollectionAssert.AreEqual(new long[] { 49406, 320, 1929, 49407 }, batch.InputIds[1]);
        CollectionAssert.AreEqual(new long[] { 49406, 49407 }, batch.InputIds[2]);
        Assert.IsFalse(batch.IsRectangular);
        Assert.AreEqual(7, batch.MaxSequenceLength);
        Assert.IsTrue(batch.AttentionMask.All(row => row.All(v => v == 1)));
        Assert.ThrowsExactly<InvalidOperationException>(() => batch.FlattenInputIds());
    }

    [TestMethod]
    public void LongestPaddingPadsWithThePadIdAndMasksZero()
    {
        var batch = ClipTokenizer.CreateDefault().EncodeBatch(Texts, padding: Padding.Longest);
        Assert.IsTrue(batch.IsRectangular);
        Assert.AreEqual(7, batch.MaxSequenceLength);
        long[] ids = batch.FlattenInputIds();
        long[] mask = batch.FlattenAttentionMask();
        Assert.AreEqual(21, ids.Length);
        CollectionAssert.AreEqual(new long[] { 49406, 320, 1929, 49407, 49407, 49407, 49407 }, ids[7..14]);
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 1, 0, 0, 0 }, mask[7..14]);
    }

    [TestMethod]
    public void TruncationKeepsTheStartAndEndTokens()
    {
        var tokenizer = XlmRobertaTokenizer.FromTokenizerJson(TestFixtures.Path("tokenizers/xlm-roberta-surrogate/tokenizer.json"));
        string text = "The quick brown fox jumps over the lazy dog";
        int[] full = tokenizer.Encode(text);
        var batch = tokenizer.EncodeBatch(new[] { text, "a" }, maxLength: 6, padding: Padding.MaxLength, truncation: true);
        CollectionAssert.AreEqual(full.Take(5).Select(i => (long)i).Append(2L).ToArray(), batch.InputIds[0]);
        Assert.AreEqual(6, batch.InputIds[1].Length);
        Assert.AreEqual(1L, batch.InputIds[1][^1], "XLM-R pads with <pad> = 1");
        Assert.AreEqual(0L, batch.AttentionMask[1][^1]);
    }

    [TestMethod]
    public void TruncationWithoutMaxLengthUsesModelMaxLength()
    {
        var clip = ClipTokenizer.CreateDefault();
        string longText = string.Join(' ', Enumerable.Repeat("cat", 200));
        var batch = clip.EncodeBatch(new[] { longText }, truncation: true);
        Assert.AreEqual(77, batch.InputIds[0].Length);
        Assert.AreEqual(49407L, batch.InputIds[0][^1]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => clip.EncodeBatch(new[] { "x" }, maxLength: 1, truncation: true));
    }

    [TestMethod]
    public void DecodeAcceptsLongIds()
    {
        var clip = ClipTokenizer.CreateDefault();
        var batch = clip.EncodeBatch(new[] { "a photo of a cat" }, maxLength: 77, padding: Padding.MaxLength);
        Assert.AreEqual("a photo of a cat", clip.Decode(batch.InputIds[0], skipSpecialTokens: true));
    }
}
