using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>The select filter's expression: exact frames, any number of them (ffmpeg refuses chains of over 100 terms).</summary>
[TestClass]
public sealed class FrameSelectExpressionTests
{
    [TestMethod]
    public void ConsecutiveFramesBecomeOneTerm()
    {
        Assert.AreEqual(@"eq(n\,3)+between(n\,9\,12)+eq(n\,20)", FrameSelectExpression.For([3, 9, 10, 11, 12, 20]));
    }

    [TestMethod]
    public void ManyTermsAreSummedInSmallGroups()
    {
        int[] everyOther = Enumerable.Range(0, 1000).Select(i => 2 * i).ToArray();

        string expression = FrameSelectExpression.For(everyOther)!;

        // No sum at any nesting level has more than GroupSize terms: count the '+' between parentheses.
        var plusesAtDepth = new Stack<int>();
        plusesAtDepth.Push(0);
        int most = 0;
        foreach (char c in expression)
        {
            if (c == '(')
            {
                plusesAtDepth.Push(0);
            }
            else if (c == ')')
            {
                most = Math.Max(most, plusesAtDepth.Pop());
            }
            else if (c == '+')
            {
                plusesAtDepth.Push(plusesAtDepth.Pop() + 1);
            }
        }

        most = Math.Max(most, plusesAtDepth.Pop());
        Assert.IsTrue(most < FrameSelectExpression.GroupSize, $"a sum of {most + 1} terms");
        Assert.AreEqual(1000, expression.Split("eq(").Length - 1, "one term per frame");
    }

    [TestMethod]
    public void AnExpressionTooLongForTheCommandLineIsNull()
    {
        int[] scattered = Enumerable.Range(0, 20_000).Select(i => 3 * i).ToArray();

        Assert.IsNull(FrameSelectExpression.For(scattered));
    }
}
