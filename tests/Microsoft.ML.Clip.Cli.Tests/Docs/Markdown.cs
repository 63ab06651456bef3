using System.Text.RegularExpressions;

namespace Microsoft.ML.Clip.Cli.Tests.Docs;

/// <summary>A fenced code block of a Markdown file.</summary>
/// <param name="Language">The info string's first word (e.g. <c>csharp</c>).</param>
/// <param name="Code">The block's content.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
internal sealed record CodeBlock(string Language, string Code, int Line);

/// <summary>Finds fenced code blocks in Markdown.</summary>
internal static partial class Markdown
{
    /// <summary>Every fenced block (``` or ~~~) with its language.</summary>
    /// <param name="markdown">The Markdown text.</param>
    public static IReadOnlyList<CodeBlock> CodeBlocks(string markdown)
    {
        var blocks = new List<CodeBlock>();
        string[] lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            Match open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            string fence = open.Groups["fence"].Value;
            string language = open.Groups["info"].Value.Trim().Split(' ', 2)[0].ToLowerInvariant();
            int start = i;
            var body = new List<string>();
            for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith(fence, StringComparison.Ordinal); i++)
            {
                body.Add(lines[i]);
            }

            blocks.Add(new CodeBlock(language, string.Join('\n', body), start + 1));
        }

        return blocks;
    }

    /// <summary>The C# blocks (<c>csharp</c>, <c>cs</c>, <c>c#</c>).</summary>
    /// <param name="markdown">The Markdown text.</param>
    public static IReadOnlyList<CodeBlock> CSharpBlocks(string markdown) =>
        CodeBlocks(markdown).Where(b => b.Language is "csharp" or "cs" or "c#").ToArray();

    [GeneratedRegex(@"^\s{0,3}(?<fence>```+|~~~+)(?<info>[^`]*)$")]
    private static partial Regex Fence();
}
