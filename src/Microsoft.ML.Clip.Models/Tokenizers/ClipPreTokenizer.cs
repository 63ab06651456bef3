using System.Globalization;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// CLIP's pre-tokenisation, a hand-written scanner equivalent to the regex
/// <c>'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c> applied with leftmost-first alternation
/// (tokenizers' <c>Split(…, Removed, invert: true)</c>: matches are kept, the white space between them dropped).
/// The following <c>ByteLevel(use_regex: true)</c> step cannot split these words further: every word is all
/// letters, one digit, a contraction, or all "other" characters, each of which GPT-2's pattern takes whole.
/// </summary>
internal static class ClipPreTokenizer
{
    private enum CharClass : byte
    {
        Other,
        Letter,
        Number,
        WhiteSpace,
    }

    private static readonly CharClass[] AsciiClass = BuildAsciiClass();

    /// <summary>Calls <paramref name="onWord"/> with the (start, length) of each word of text[start..start+length].</summary>
    public static void Split<TState>(string text, int start, int length, ref TState state, WordHandler<TState> onWord)
    {
        ReadOnlySpan<char> span = text.AsSpan(0, start + length);
        int i = start;
        int end = start + length;
        while (i < end)
        {
            int codePoint = UnicodeText.CodePointAt(span, i, out int width);
            CharClass kind = Classify(codePoint);
            if (kind == CharClass.WhiteSpace)
            {
                i += width;
                continue;
            }

            if (codePoint == '\'')
            {
                int contraction = ContractionLength(span, i, end);
                if (contraction > 0)
                {
                    onWord(text, i, contraction, ref state);
                    i += contraction;
                    continue;
                }
            }

            int wordStart = i;
            i += width;
            if (kind == CharClass.Letter || kind == CharClass.Other)
            {
                // [\p{L}]+ or [^\s\p{L}\p{N}]+: extend while the class stays the same.
                while (i < end)
                {
                    int next = UnicodeText.CodePointAt(span, i, out int nextWidth);
                    if (Classify(next) != kind)
                    {
                        break;
                    }

                    i += nextWidth;
                }
            }

            onWord(text, wordStart, i - wordStart, ref state);
        }
    }

    /// <summary>Receives one word of the pre-tokenisation.</summary>
    public delegate void WordHandler<TState>(string text, int start, int length, ref TState state);

    // 's 't 're 've 'm 'll 'd, tried in that order at an apostrophe (case-sensitive: the text is lower-cased).
    private static int ContractionLength(ReadOnlySpan<char> span, int i, int end)
    {
        int left = end - i - 1;
        if (left <= 0)
        {
            return 0;
        }

        char a = span[i + 1];
        if (a is 's' or 't' or 'm' or 'd')
        {
            return 2;
        }

        if (left >= 2)
        {
            char b = span[i + 2];
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
            {
                return 3;
            }
        }

        return 0;
    }

    private static CharClass Classify(int codePoint)
    {
        if (codePoint < 0x80)
        {
            return AsciiClass[codePoint];
        }

        if (UnicodeText.IsWhiteSpace(codePoint))
        {
            return CharClass.WhiteSpace;
        }

        return UnicodeText.Category(codePoint) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharClass.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharClass.Number,
            _ => CharClass.Other,
        };
    }

    private static CharClass[] BuildAsciiClass()
    {
        var table = new CharClass[128];
        for (int c = 0; c < 128; c++)
        {
            table[c] = c switch
            {
                >= 'a' and <= 'z' or >= 'A' and <= 'Z' => CharClass.Letter,
                >= '0' and <= '9' => CharClass.Number,
                _ when UnicodeText.IsWhiteSpace(c) => CharClass.WhiteSpace,
                _ => CharClass.Other,
            };
        }

        return table;
    }
}
