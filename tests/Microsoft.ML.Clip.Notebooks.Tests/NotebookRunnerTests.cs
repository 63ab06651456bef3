using Microsoft.DotNet.Interactive.Documents;

namespace Microsoft.ML.Clip.Notebooks.Tests;

/// <summary>The runner reports what cells show and fails, naming the notebook and cell, on any error.</summary>
[TestClass]
public sealed class NotebookRunnerTests
{
    [TestMethod]
    public async Task OutputsAreDisplayedAndTrailingValuesInOrder()
    {
        NotebookRun run = await NotebookRunner.RunAsync("t.ipynb", Document("int x = 20;\ndisplay(\"shown\");", "x + 22"));
        CollectionAssert.AreEqual(new object[] { "shown", 42 }, run.Outputs.ToArray());
    }

    [TestMethod]
    public async Task ACellThatDoesNotCompileFailsNamingTheCell()
    {
        var e = await Assert.ThrowsExactlyAsync<AssertFailedException>(
            () => NotebookRunner.RunAsync("broken.ipynb", Document("int x = 1;", "string s = x;")));
        StringAssert.Contains(e.Message, "broken.ipynb cell 2");
        StringAssert.Contains(e.Message, "CS0029");
    }

    [TestMethod]
    public async Task ACellThatThrowsFailsNamingTheCell()
    {
        var e = await Assert.ThrowsExactlyAsync<AssertFailedException>(
            () => NotebookRunner.RunAsync("throws.ipynb", Document("throw new InvalidOperationException(\"no model here\");")));
        StringAssert.Contains(e.Message, "throws.ipynb cell 1");
        StringAssert.Contains(e.Message, "no model here");
    }

    [TestMethod]
    public async Task TheKernelDoesNotImportSystemIO()
    {
        // What the notebooks' first cells must account for (a Roslyn script host that adds System.IO hides it).
        var e = await Assert.ThrowsExactlyAsync<AssertFailedException>(
            () => NotebookRunner.RunAsync("io.ipynb", Document("var p = Path.Combine(\"a\", \"b\");")));
        StringAssert.Contains(e.Message, "CS0103");
    }

    [TestMethod]
    public void LocalFeedLinesAreAddedAndVersionsPinned()
    {
        string cell = "#r \"nuget: Microsoft.ML.Clip.Models\"\n#r \"nuget: Microsoft.ML\"\nusing System.IO;";
        string first = LocalFeed.WithFeed(cell, firstCodeCell: true, "/feed", "1.0.0-x", "n cell 1");
        Assert.AreEqual("#i \"nuget: /feed\"\n#r \"nuget: Microsoft.ML.Clip.Models, 1.0.0-x\"\n#r \"nuget: Microsoft.ML\"\nusing System.IO;", first);
        Assert.AreEqual("#r \"nuget: Microsoft.ML.Clip, 1.0.0-x\"", LocalFeed.WithFeed("#r \"nuget: Microsoft.ML.Clip\"", firstCodeCell: false, "/feed", "1.0.0-x", "n cell 3"));
        Assert.ThrowsExactly<AssertFailedException>(() => LocalFeed.WithFeed("#r \"nuget: Microsoft.ML.Clip, 0.9.0\"", false, "/feed", "1.0.0-x", "n cell 1"));
    }

    /// <summary>A notebook with one Markdown cell and the given C# cells.</summary>
    private static InteractiveDocument Document(params string[] cells) =>
        new([new InteractiveDocumentElement("# title", "markdown"), .. cells.Select(c => new InteractiveDocumentElement(c, "csharp"))]);
}
