using System.Buffers;
using System.Globalization;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// Splits text on added tokens as the Rust <c>AddedVocabulary::find_matches</c> does: non-overlapping
/// leftmost-longest matches, then the <c>single_word</c>, <c>lstrip</c> and <c>rstrip</c> rules of each token.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<char, AddedToken[]> _byFirstChar = new();
    private readonly SearchValues<char>? _firstChars;

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        foreach (var group in tokens.Where(t => t.Content.Length > 0).GroupBy(t => t.Content[0]))
        {
            // Longest first, so the first hit at a position is the leftmost-longest match.
            _byFirstChar[group.Key] = group.OrderByDescending(t => t.Content.Length).ToArray();
        }

        if (_byFirstChar.Count > 0)
        {
            _firstChars = SearchValues.Create(_byFirstChar.Keys.ToArray());
        }
    }

    /// <summary>Whether there is nothing to match.</summary>
    public bool IsEmpty => _firstChars is null;

    /// <summary>
    /// Appends the segments of <paramref name="text"/>[start..start+length] to <paramref name="output"/>; empty
    /// plain-text segments are left out (the Rust pre-tokenized string drops empty splits).
    /// </summary>
    public void Split(string text, int start, int length, List<TextSegment> output)
    {
        int end = start + length;
        if (_firstChars is null)
        {
            if (length > 0)
            {
                output.Add(new TextSegment(start, length, -1));
            }

            return;
        }

        int emitted = start; // Rust's start_offset: the end of the previous match.
        int position = start;
        while (position < end)
        {
            int hit = text.AsSpan(position, end - position).IndexOfAny(_firstChars);
            if (hit < 0)
            {
                break;
            }

            position += hit;
            AddedToken? token = LongestAt(text, position, end);
            if (token is null)
            {
                position++;
                continue;
            }

            int matchStart = position;
            int matchEnd = position + token.Content.Length;
            position = matchEnd;
            if (token.SingleWord && !IsSingleWord(text, start, end, matchStart, matchEnd))
            {
                continue;
            }

            if (token.LStrip)
            {
                int newStart = matchStart;
                while (newStart > start && UnicodeText.IsWhiteSpace(PreviousCodePoint(text, newStart, out int width)))
                {
                    newStart -= width;
                }

                matchStart = Math.Max(newStart, emitted);
            }

            if (token.RStrip)
            {
                while (matchEnd < end && UnicodeText.IsWhiteSpace(UnicodeText.CodePointAt(text.AsSpan(0, end), matchEnd, out int width)))
                {
                    matchEnd += width;
                }

                position = matchEnd;
            }

            if (emitted < matchStart)
            {
                output.Add(new TextSegment(emitted, matchStart - emitted, -1));
            }

            output.Add(new TextSegment(matchStart, matchEnd - matchStart, token.Id));
            emitted = matchEnd;
        }

        if (emitted < end)
        {
            output.Add(new TextSegment(emitted, end - emitted, -1));
        }
    }

    private AddedToken? LongestAt(string text, int position, int end)
    {
        if (!_byFirstChar.TryGetValue(text[position], out var candidates))
        {
            return null;
        }

        foreach (var token in candidates)
        {
            if (token.Content.Length <= end - position && text.AsSpan(position, token.Content.Length).SequenceEqual(token.Content))
            {
                return token;
            }
        }

        return null;
    }

    private static int PreviousCodePoint(string text, int index, out int width)
    {
        char c = text[index - 1];
        if (char.IsLowSurrogate(c) && index >= 2 && char.IsHighSurrogate(text[index - 2]))
        {
            width = 2;
            return char.ConvertToUtf32(text[index - 2], c);
        }

        width = 1;
        return c;
    }

    // Rust: the match must not be preceded or followed by a word character (regex \w).
    private static bool IsSingleWord(string text, int start, int end, int matchStart, int matchEnd)
    {
        bool startOk = matchStart == start || !IsWordChar(PreviousCodePoint(text, matchStart, out _));
        bool endOk = matchEnd == end || !IsWordChar(UnicodeText.CodePointAt(text.AsSpan(0, end), matchEnd, out _));
        return startOk && endOk;
    }

    private static bool IsWordChar(int codePoint)
    {
        if (codePoint == '_' || codePoint == 0x200C || codePoint == 0x200D)
        {
            return true;
        }

        return UnicodeText.Category(codePoint) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark
                or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.LetterNumber or UnicodeCategory.ConnectorPunctuation => true,
            _ => false,
        };
    }
}
