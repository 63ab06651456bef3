using Microsoft.ML.Clip.Tokenizers;

namespace Microsoft.ML.Clip.Tests.Tokenizers;

[TestClass]
public sealed class TokenizerJsonLinesTests
{
    [TestMethod]
    public void PlainLinesGiveOneJsonObjectEach()
    {
        var output = new StringWriter();
        int count = TokenizerJsonLines.Run(ClipTokenizer.CreateDefault(), new StringReader("a photo of a cat\na dog\n"), output);
        Assert.AreEqual(2, count);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual("{\"ids\":[49406,320,1125,539,320,2368,49407],\"attention_mask\":[1,1,1,1,1,1,1]}", lines[0].TrimEnd('\r'));
        Assert.AreEqual("{\"ids\":[49406,320,1929,49407],\"attention_mask\":[1,1,1,1]}", lines[1].TrimEnd('\r'));
    }

    [TestMethod]
    public void JsonLinesMayHoldNewlinesAndArePaddedToTheLongest()
    {
        var output = new StringWriter();
        TokenizerJsonLines.Run(ClipTokenizer.CreateDefault(), new StringReader("{\"text\": \"a\\ndog\"}\n{\"text\": \"a photo of a cat\"}\n"),
            output, jsonLines: true, padding: Padding.Longest);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual("{\"ids\":[49406,320,1929,49407,49407,49407,49407],\"attention_mask\":[1,1,1,1,0,0,0]}", lines[0].TrimEnd('\r'));
    }

    [TestMethod]
    public void BadJsonLineNamesTheLine()
    {
        var ex = Assert.ThrowsExactly<InvalidDataException>(() =>
            TokenizerJsonLines.Run(ClipTokenizer.CreateDefault(), new StringReader("{\"text\": \"ok\"}\n[1, 2]\n"), new StringWriter(), jsonLines: true));
        StringAssert.Contains(ex.Message, "line 2");
    }
}
