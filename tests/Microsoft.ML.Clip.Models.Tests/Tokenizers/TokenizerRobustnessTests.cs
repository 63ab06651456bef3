using System.Text;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tokenizers;

namespace Microsoft.ML.Clip.Tests.Tokenizers;

/// <summary>Any string is tokenised without an exception; huge inputs finish (no timing asserts).</summary>
[TestClass]
public sealed class TokenizerRobustnessTests
{
    private static readonly Lazy<XlmRobertaTokenizer> Xlmr = new(() =>
        XlmRobertaTokenizer.FromSentencePieceModel(TestFixtures.Path("tokenizers/xlm-roberta-surrogate/sentencepiece.bpe.model")));

    private static IEnumerable<TextTokenizer> Both() => new TextTokenizer[] { ClipTokenizer.CreateDefault(), Xlmr.Value };

    [TestMethod]
    public void OneMegabyteOfMixedTextIsTokenised()
    {
        var builder = new StringBuilder();
        string[] parts = { "A photo of a cat. ", "Кошка сидит на коврике. ", "我爱北京天安门。", "👨\u200d👩\u200d👧 ", "don't  stop\t\n", "１２３ ", "e\u0301 " };
        for (int i = 0; builder.Length < 1 << 20; i++)
        {
            builder.Append(parts[i % parts.Length]);
        }

        string text = builder.ToString();
        foreach (var tokenizer in Both())
        {
            int[] ids = tokenizer.Encode(text);
            Assert.IsTrue(ids.Length > 100_000, $"{tokenizer.GetType().Name}: only {ids.Length} ids for 1 MB");
            Assert.IsTrue(ids.All(id => id >= 0 && id < tokenizer.VocabularySize));
            CollectionAssert.AreEqual(tokenizer.PrefixIds.ToArray(), ids.Take(tokenizer.PrefixIds.Count).ToArray());
        }
    }

    [TestMethod]
    public void OneMegabyteWordWithoutSpacesIsTokenised()
    {
        // One pre-tokenised word of a million characters: BPE is O(n log n), Viterbi O(n · longest piece).
        string letters = string.Concat(Enumerable.Repeat("supercalifragilistic", (1 << 20) / 20));
        foreach (var tokenizer in Both())
        {
            int[] ids = tokenizer.Encode(letters);
            Assert.IsTrue(ids.Length > 10_000, $"{tokenizer.GetType().Name}: {ids.Length} ids");
            string decoded = tokenizer.Decode(ids, skipSpecialTokens: true);
            Assert.AreEqual(letters, decoded, $"{tokenizer.GetType().Name} must round-trip a long lower-case word");
        }
    }

    [TestMethod]
    public void LongWordGivesTheSameIdsAsItsCachedShortForm()
    {
        // The cache is bypassed for long words: the uncached path must agree with the cached one.
        var clip = ClipTokenizer.CreateDefault();
        string word = "antidisestablishmentarianism";
        int[] single = clip.Encode(word, addSpecialTokens: false);
        int[] repeated = clip.Encode(string.Join(' ', Enumerable.Repeat(word, 50)), addSpecialTokens: false);
        CollectionAssert.AreEqual(Enumerable.Repeat(single, 50).SelectMany(x => x).ToArray(), repeated);
    }

    [TestMethod]
    public void LoneSurrogatesAreReadAsReplacementCharacters()
    {
        foreach (var tokenizer in Both())
        {
            CollectionAssert.AreEqual(tokenizer.Encode("a\uFFFDb\uFFFD c\uFFFD"), tokenizer.Encode("a\uD800b\uDC00 c\uD83D"));
            // A valid pair is untouched.
            CollectionAssert.AreEqual(tokenizer.Encode("x 🍕"), tokenizer.Encode("x \uD83C\uDF55"));
        }
    }

    [TestMethod]
    public void ControlAndUnusualCharactersDoNotThrow()
    {
        string nasty = "\0\u0001\u001F\u007F\u0085\u200B\u200E\uFEFF\uFFFE\uFFFF\U0010FFFF\u0378 \u2028\u2029\u00AD\u0301 ▁▁ <s> <mask>";
        foreach (var tokenizer in Both())
        {
            int[] ids = tokenizer.Encode(nasty);
            Assert.IsTrue(ids.All(id => id >= 0 && id < tokenizer.VocabularySize));
            _ = tokenizer.Decode(ids);
            _ = tokenizer.Decode(ids, skipSpecialTokens: true);
            _ = tokenizer.Decode(new[] { -5, int.MaxValue, 0, 1, 2, 3 });
        }
    }

    [TestMethod]
    public void ConcurrentEncodingGivesTheSameIdsAsSequential()
    {
        var texts = TokenizerCase.Load("clip").Select(c => c.Text).ToArray();
        foreach (var tokenizer in new TextTokenizer[] { ClipTokenizer.FromVocabularyFiles(
            TestFixtures.Path("tokenizers/clip/vocab.json"), TestFixtures.Path("tokenizers/clip/merges.txt")), Xlmr.Value })
        {
            var expected = texts.Select(tokenizer.Encode).ToArray();
            var results = new int[texts.Length * 8][];
            Parallel.For(0, results.Length, i => results[i] = tokenizer.Encode(texts[i % texts.Length]));
            for (int i = 0; i < results.Length; i++)
            {
                CollectionAssert.AreEqual(expected[i % texts.Length], results[i], texts[i % texts.Length]);
            }
        }
    }
}
