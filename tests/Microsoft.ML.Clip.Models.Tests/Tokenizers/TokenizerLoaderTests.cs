using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tokenizers;

namespace Microsoft.ML.Clip.Tests.Tokenizers;

/// <summary>Folder discovery and clear errors for malformed files.</summary>
[TestClass]
public sealed class TokenizerLoaderTests
{
    private static string Fixture(string relative) => TestFixtures.Path($"tokenizers/{relative}");

    private static string TempFolder(params (string Name, string? CopyFrom, byte[]? Bytes)[] files)
    {
        string folder = Path.Combine(Path.GetTempPath(), "clip-tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var (name, copyFrom, bytes) in files)
        {
            if (copyFrom is not null)
            {
                File.Copy(copyFrom, Path.Combine(folder, name));
            }
            else
            {
                File.WriteAllBytes(Path.Combine(folder, name), bytes!);
            }
        }

        return folder;
    }

    [TestMethod]
    public void FixtureFoldersLoadTheRightTokenizerWithTheirConfig()
    {
        var clip = TokenizerLoader.Load(Fixture("clip"));
        Assert.IsInstanceOfType<ClipTokenizer>(clip);
        Assert.AreEqual(77, clip.ModelMaxLength);
        Assert.AreEqual(49407, clip.PadTokenId);
        var xlmr = TokenizerLoader.Load(Fixture("xlm-roberta-surrogate"));
        Assert.IsInstanceOfType<XlmRobertaTokenizer>(xlmr);
        Assert.AreEqual(512, xlmr.ModelMaxLength);
        Assert.AreEqual(1, xlmr.PadTokenId);
    }

    [TestMethod]
    public void FoldersWithOnlyTheVocabularyFilesAreDetected()
    {
        string clipFolder = TempFolder(("vocab.json", Fixture("clip/vocab.json"), null), ("merges.txt", Fixture("clip/merges.txt"), null));
        string spmFolder = TempFolder(("sentencepiece.bpe.model", Fixture("xlm-roberta-surrogate/sentencepiece.bpe.model"), null));
        string jsonOnly = TempFolder(("tokenizer.json", Fixture("xlm-roberta-surrogate/tokenizer.json"), null));
        try
        {
            Assert.AreEqual(TokenizerKind.Clip, TokenizerLoader.DetectKind(clipFolder));
            Assert.AreEqual(TokenizerKind.XlmRoberta, TokenizerLoader.DetectKind(spmFolder));
            Assert.AreEqual(TokenizerKind.XlmRoberta, TokenizerLoader.DetectKind(jsonOnly));
            CollectionAssert.AreEqual(new[] { 49406, 320, 1125, 539, 320, 2368, 49407 }, TokenizerLoader.Load(clipFolder).Encode("a photo of a cat"));
            CollectionAssert.AreEqual(TokenizerLoader.Load(jsonOnly).Encode("Hello World!"), TokenizerLoader.Load(spmFolder).Encode("Hello World!"));
        }
        finally
        {
            Directory.Delete(clipFolder, true);
            Directory.Delete(spmFolder, true);
            Directory.Delete(jsonOnly, true);
        }
    }

    [TestMethod]
    public void EmptyFolderSaysWhichFilesWereExpected()
    {
        string folder = TempFolder();
        try
        {
            var ex = Assert.ThrowsExactly<FileNotFoundException>(() => TokenizerLoader.Load(folder));
            StringAssert.Contains(ex.Message, "sentencepiece.bpe.model");
            StringAssert.Contains(ex.Message, "vocab.json");
        }
        finally
        {
            Directory.Delete(folder, true);
        }

        Assert.ThrowsExactly<DirectoryNotFoundException>(() => TokenizerLoader.Load(folder));
    }

    [TestMethod]
    public void MalformedFilesGiveErrorsNamingTheFile()
    {
        string folder = TempFolder(
            ("vocab.json", null, "{\"a\": 0, "u8.ToArray()),
            ("merges.txt", null, "#version: 0.2\na b c\n"u8.ToArray()),
            ("good-vocab.json", Fixture("clip/vocab.json"), null),
            ("sentencepiece.bpe.model", null, new byte[] { 0x0A, 0xFF, 0xFF, 0x01, 0x02 }),
            ("random.model", null, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 >> 3)).ToArray()),
            ("tokenizer.json", null, "{\"model\": {\"type\": \"WordPiece\"}}"u8.ToArray()));
        try
        {
            string vocab = Path.Combine(folder, "vocab.json");
            string merges = Path.Combine(folder, "merges.txt");
            var e1 = Assert.ThrowsExactly<InvalidDataException>(() => ClipTokenizer.FromVocabularyFiles(vocab, Fixture("clip/merges.txt")));
            StringAssert.Contains(e1.Message, vocab);
            var e2 = Assert.ThrowsExactly<InvalidDataException>(() => ClipTokenizer.FromVocabularyFiles(Path.Combine(folder, "good-vocab.json"), merges));
            StringAssert.Contains(e2.Message, merges);
            StringAssert.Contains(e2.Message, "line 2");
            string model = Path.Combine(folder, "sentencepiece.bpe.model");
            var e3 = Assert.ThrowsExactly<InvalidDataException>(() => XlmRobertaTokenizer.FromSentencePieceModel(model));
            StringAssert.Contains(e3.Message, model);
            string random = Path.Combine(folder, "random.model");
            var e4 = Assert.ThrowsExactly<InvalidDataException>(() => XlmRobertaTokenizer.FromSentencePieceModel(random));
            StringAssert.Contains(e4.Message, random);
            string json = Path.Combine(folder, "tokenizer.json");
            var e5 = Assert.ThrowsExactly<InvalidDataException>(() => XlmRobertaTokenizer.FromTokenizerJson(json));
            StringAssert.Contains(e5.Message, json);
            StringAssert.Contains(e5.Message, "WordPiece");
            var e6 = Assert.ThrowsExactly<InvalidDataException>(() => TokenizerLoader.Load(folder));
            StringAssert.Contains(e6.Message, json);
            Assert.ThrowsExactly<FileNotFoundException>(() => ClipTokenizer.FromTokenizerJson(Path.Combine(folder, "missing.json")));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void TruncatedSentencePieceModelIsRejected()
    {
        byte[] bytes = File.ReadAllBytes(Fixture("xlm-roberta-surrogate/sentencepiece.bpe.model"));
        string folder = TempFolder(("sentencepiece.bpe.model", null, bytes[..(bytes.Length - 1000)]));
        try
        {
            string path = Path.Combine(folder, "sentencepiece.bpe.model");
            var ex = Assert.ThrowsExactly<InvalidDataException>(() => XlmRobertaTokenizer.FromSentencePieceModel(path));
            StringAssert.Contains(ex.Message, path);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
