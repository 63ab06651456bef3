using System.Globalization;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// The expression of ffmpeg's <c>select</c> filter that keeps exactly the given frame numbers (<c>n</c>, counted from 0
/// as frames are decoded), e.g. <c>eq(n\,3)+between(n\,9\,12)</c>; <c>"\,"</c> escapes a comma in a filtergraph.
/// </summary>
/// <remarks>
/// ffmpeg's expression parser nests one level per term of a <c>+</c> chain and refuses more than 100 levels (the whole
/// filter then fails to start), so consecutive frames become one <c>between</c> term and terms are summed in
/// parenthesised groups of at most <see cref="GroupSize"/>: a tree of depth ⌈log₈ terms⌉, which any count fits.
/// </remarks>
internal static class FrameSelectExpression
{
    /// <summary>Terms per parenthesised sum.</summary>
    internal const int GroupSize = 8;

    /// <summary>Longest expression passed on the command line (Linux caps one argument at 128 KiB).</summary>
    internal const int MaxLength = 100_000;

    /// <summary>The expression for ascending, distinct <paramref name="sortedIndices"/>; null when it would exceed <see cref="MaxLength"/>.</summary>
    public static string? For(IReadOnlyList<int> sortedIndices)
    {
        var terms = new List<string>();
        for (int start = 0; start < sortedIndices.Count;)
        {
            int end = start;
            while (end + 1 < sortedIndices.Count && sortedIndices[end + 1] == sortedIndices[end] + 1)
            {
                end++;
            }

            string first = sortedIndices[start].ToString(CultureInfo.InvariantCulture);
            terms.Add(end == start
                ? $"eq(n\\,{first})"
                : $"between(n\\,{first}\\,{sortedIndices[end].ToString(CultureInfo.InvariantCulture)})");
            start = end + 1;
        }

        while (terms.Count > GroupSize)
        {
            terms = terms.Chunk(GroupSize).Select(group => "(" + string.Join("+", group) + ")").ToList();
        }

        string expression = string.Join("+", terms);
        return expression.Length <= MaxLength ? expression : null;
    }
}
