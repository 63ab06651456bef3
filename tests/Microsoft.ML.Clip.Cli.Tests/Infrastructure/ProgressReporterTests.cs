using Microsoft.ML.Clip.Cli.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Infrastructure;

[TestClass]
public sealed class ProgressReporterTests
{
    [TestMethod]
    public void TerminalDrawsABarInPlace()
    {
        var error = new StringWriter();
        var context = new CliContext(new StringReader(string.Empty), new StringWriter(), error, errorIsTerminal: true);
        var progress = new ProgressReporter(context, "embed", 4);
        progress.Advance();
        progress.Advance(3);
        progress.Finish();
        string text = error.ToString();
        Assert.AreEqual(2, text.Count(c => c == '\r'), "redrawn in place");
        StringAssert.Contains(text, "[############################] 4/4");
        StringAssert.Contains(text, "ETA");
        Assert.IsTrue(text.EndsWith(Environment.NewLine, StringComparison.Ordinal));
    }

    [TestMethod]
    public void RedirectedWritesPlainLinesIncludingTheLast()
    {
        var error = new StringWriter();
        var context = new CliContext(new StringReader(string.Empty), new StringWriter(), error, errorIsTerminal: false);
        var progress = new ProgressReporter(context, "embed", 3, TimeSpan.FromHours(1));
        progress.Advance();
        progress.Advance();
        progress.Advance();
        string[] lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(2, lines.Length, error.ToString());
        StringAssert.StartsWith(lines[0], "clip: embed 1/3 (");
        StringAssert.StartsWith(lines[1], "clip: embed 3/3 (");
        Assert.IsFalse(error.ToString().Contains('\r'), "no carriage returns when redirected");
    }
}
