using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// Character classes and text repairs shared by the tokenizers, each defined exactly as the Rust
/// <c>tokenizers</c> library (or Python, for the decode-side cleanup) defines it.
/// </summary>
internal static class UnicodeText
{
    /// <summary>
    /// Lower-case pairs that Rust's <c>char::to_lowercase</c> (Unicode 17, as built into tokenizers 0.23.2) knows
    /// and .NET's invariant casing tables do not yet (found by comparing every code point with the Rust library).
    /// </summary>
    private static readonly Dictionary<int, int> NewerLowercase = new (int Upper, int Lower)[]
    {
        (0x1C89, 0x1C8A),
        (0xA7CB, 0x264),
        (0xA7CC, 0xA7CD),
        (0xA7CE, 0xA7CF),
        (0xA7D2, 0xA7D3),
        (0xA7D4, 0xA7D5),
        (0xA7DA, 0xA7DB),
        (0xA7DC, 0x19B),
        (0x10D50, 0x10D70),
        (0x10D51, 0x10D71),
        (0x10D52, 0x10D72),
        (0x10D53, 0x10D73),
        (0x10D54, 0x10D74),
        (0x10D55, 0x10D75),
        (0x10D56, 0x10D76),
        (0x10D57, 0x10D77),
        (0x10D58, 0x10D78),
        (0x10D59, 0x10D79),
        (0x10D5A, 0x10D7A),
        (0x10D5B, 0x10D7B),
        (0x10D5C, 0x10D7C),
        (0x10D5D, 0x10D7D),
        (0x10D5E, 0x10D7E),
        (0x10D5F, 0x10D7F),
        (0x10D60, 0x10D80),
        (0x10D61, 0x10D81),
        (0x10D62, 0x10D82),
        (0x10D63, 0x10D83),
        (0x10D64, 0x10D84),
        (0x10D65, 0x10D85),
        (0x16EA0, 0x16EBB),
        (0x16EA1, 0x16EBC),
        (0x16EA2, 0x16EBD),
        (0x16EA3, 0x16EBE),
        (0x16EA4, 0x16EBF),
        (0x16EA5, 0x16EC0),
        (0x16EA6, 0x16EC1),
        (0x16EA7, 0x16EC2),
        (0x16EA8, 0x16EC3),
        (0x16EA9, 0x16EC4),
        (0x16EAA, 0x16EC5),
        (0x16EAB, 0x16EC6),
        (0x16EAC, 0x16EC7),
        (0x16EAD, 0x16EC8),
        (0x16EAE, 0x16EC9),
        (0x16EAF, 0x16ECA),
        (0x16EB0, 0x16ECB),
        (0x16EB1, 0x16ECC),
        (0x16EB2, 0x16ECD),
        (0x16EB3, 0x16ECE),
        (0x16EB4, 0x16ECF),
        (0x16EB5, 0x16ED0),
        (0x16EB6, 0x16ED1),
        (0x16EB7, 0x16ED2),
        (0x16EB8, 0x16ED3),
    }.ToDictionary(p => p.Upper, p => p.Lower);

    /// <summary>
    /// The Unicode <c>White_Space</c> property: what Rust's <c>char::is_whitespace</c>, the <c>regex</c> crate's
    /// <c>\s</c> and Oniguruma's Unicode <c>\s</c> match (U+0085 and U+00A0 included, U+200B and U+180E not).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWhiteSpace(int codePoint)
    {
        if (codePoint < 0x80)
        {
            return codePoint == ' ' || (uint)(codePoint - 0x09) <= 0x0D - 0x09;
        }

        return codePoint == 0x85 || codePoint == 0xA0 || codePoint == 0x1680
            || (uint)(codePoint - 0x2000) <= 0x0A || codePoint == 0x2028 || codePoint == 0x2029
            || codePoint == 0x202F || codePoint == 0x205F || codePoint == 0x3000;
    }

    /// <summary>Python's <c>str.isspace</c> for one character (used by <c>str.strip()</c> in transformers' decode).</summary>
    public static bool IsPythonSpace(char c) =>
        IsWhiteSpace(c) || (uint)(c - 0x1C) <= 0x1F - 0x1C;

    /// <summary>Python's <c>str.strip()</c> with no arguments.</summary>
    public static string PythonStrip(string text)
    {
        int start = 0;
        int end = text.Length;
        while (start < end && IsPythonSpace(text[start]))
        {
            start++;
        }

        while (end > start && IsPythonSpace(text[end - 1]))
        {
            end--;
        }

        return start == 0 && end == text.Length ? text : text[start..end];
    }

    /// <summary>
    /// Replaces every unpaired UTF-16 surrogate by U+FFFD. Hugging Face's tokenizers only ever see valid UTF-8
    /// (Python cannot even encode a <c>str</c> holding a lone surrogate), so U+FFFD — what any UTF-8 encoder
    /// substitutes — is the closest faithful input. Returns the same instance when the text is already valid.
    /// </summary>
    public static string ReplaceLoneSurrogates(string text)
    {
        int firstBad = IndexOfLoneSurrogate(text);
        if (firstBad < 0)
        {
            return text;
        }

        var chars = text.ToCharArray();
        for (int i = firstBad; i < chars.Length; i++)
        {
            char c = chars[i];
            if (char.IsHighSurrogate(c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }

    private static int IndexOfLoneSurrogate(string text)
    {
        ReadOnlySpan<char> span = text;
        int i = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0)
        {
            return -1;
        }

        for (; i < span.Length; i++)
        {
            char c = span[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
                continue;
            }

            return i;
        }

        return -1;
    }

    /// <summary>
    /// Appends Rust's <c>char::to_lowercase</c> of one code point: the full (unconditional) Unicode lower-case
    /// mapping, character by character with no context, so final sigma is not special. It equals .NET's invariant
    /// simple mapping except for U+0130 (İ), which lower-cases to "i" + U+0307.
    /// </summary>
    public static void AppendLowercase(int codePoint, StringBuilder output)
    {
        if (codePoint < 0x80)
        {
            output.Append((char)((uint)(codePoint - 'A') <= 'Z' - 'A' ? codePoint + 32 : codePoint));
            return;
        }

        if (codePoint == 0x130)
        {
            output.Append('i').Append('\u0307');
            return;
        }

        if (!NewerLowercase.TryGetValue(codePoint, out int lower))
        {
            lower = Rune.ToLowerInvariant(new Rune(codePoint)).Value;
        }

        if (lower < 0x10000)
        {
            output.Append((char)lower);
        }
        else
        {
            output.Append(char.ConvertFromUtf32(lower));
        }
    }

    /// <summary>
    /// Code points the normaliser of the Rust library (<c>unicode-normalization-alignments</c>, Unicode 9-era tables)
    /// treats as plain starters that neither reorder nor compose, while .NET's tables know them: combining marks
    /// (canonical combining class ≠ 0) and U+11930, the second half of the one composition it lacks
    /// (U+11935 U+11930 → U+11938). Found by comparing NFC of every code point and every composition pair with it.
    /// </summary>
    private static readonly (int First, int Last)[] MarksUnknownToRustNormalizer =
    {
        (0x7FD, 0x7FD), (0x898, 0x89F), (0x8CA, 0x8D3), (0x9FE, 0x9FE), (0xC3C, 0xC3C), (0xD3B, 0xD3C),
        (0xEBA, 0xEBA), (0x1715, 0x1715), (0x1ABF, 0x1ACE), (0x1DF6, 0x1DFA), (0xA82C, 0xA82C), (0x10D24, 0x10D27),
        (0x10EAB, 0x10EAC), (0x10EFD, 0x10EFF), (0x10F46, 0x10F50), (0x10F82, 0x10F85), (0x11070, 0x11070), (0x1133B, 0x1133B),
        (0x1145E, 0x1145E), (0x11839, 0x1183A), (0x11930, 0x11930), (0x1193D, 0x1193E), (0x11943, 0x11943), (0x119E0, 0x119E0),
        (0x11A34, 0x11A34), (0x11A47, 0x11A47), (0x11A99, 0x11A99), (0x11D42, 0x11D42), (0x11D44, 0x11D45), (0x11D97, 0x11D97),
        (0x11F41, 0x11F42), (0x16FF0, 0x16FF1), (0x1E08F, 0x1E08F), (0x1E130, 0x1E136), (0x1E2AE, 0x1E2AE), (0x1E2EC, 0x1E2EF),
        (0x1E4EC, 0x1E4EF),
    };

    /// <summary>
    /// Unicode normalisation as the Rust library computes it: .NET's (ICU's) algorithm, but the text is cut at
    /// U+FFFE (which .NET refuses; a starter that composes with nothing) and at the marks of
    /// <see cref="MarksUnknownToRustNormalizer"/>, which stay where they are while the pieces between them are
    /// normalised on their own — exactly what a starter with no decomposition and no compositions does.
    /// </summary>
    public static string Normalize(string text, NormalizationForm form)
    {
        List<int>? cuts = null;
        ReadOnlySpan<char> span = text;
        for (int i = span.IndexOfAnyInRange('\u07FD', '\uFFFF'); i >= 0 && i < span.Length;)
        {
            int codePoint = CodePointAt(span, i, out int width);
            if (codePoint == 0xFFFE || IsMarkUnknownToRustNormalizer(codePoint))
            {
                (cuts ??= new List<int>()).Add(i);
            }

            i += width;
        }

        if (cuts is null)
        {
            return text.IsNormalized(form) ? text : text.Normalize(form);
        }

        var builder = new StringBuilder(text.Length);
        int start = 0;
        foreach (int cut in cuts)
        {
            AppendNormalized(text[start..cut], form, builder);
            CodePointAt(span, cut, out int width);
            builder.Append(span.Slice(cut, width));
            start = cut + width;
        }

        AppendNormalized(text[start..], form, builder);
        return builder.ToString();
    }

    private static void AppendNormalized(string piece, NormalizationForm form, StringBuilder builder) =>
        builder.Append(piece.IsNormalized(form) ? piece : piece.Normalize(form));

    private static bool IsMarkUnknownToRustNormalizer(int codePoint)
    {
        if (codePoint < 0x7FD)
        {
            return false;
        }

        foreach (var (first, last) in MarksUnknownToRustNormalizer)
        {
            if (codePoint < first)
            {
                return false;
            }

            if (codePoint <= last)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Combining marks new in Unicode 17 that Rust's <c>unicode-segmentation</c> (in tokenizers 0.23.2) joins to the
    /// preceding grapheme cluster while .NET's tables still see unassigned code points.
    /// </summary>
    public static bool IsNewerGraphemeExtend(int codePoint) =>
        (uint)(codePoint - 0x1ACF) <= 0x1ADD - 0x1ACF || (uint)(codePoint - 0x1AE0) <= 0x1AEB - 0x1AE0
        || codePoint is 0x10EFA or 0x10EFB || (uint)(codePoint - 0x11B60) <= 0x11B67 - 0x11B60
        || codePoint is 0x1E6E3 or 0x1E6E6 or 0x1E6EE or 0x1E6EF or 0x1E6F5;

    /// <summary>
    /// The length of the extended grapheme cluster starting at <paramref name="start"/> as the Rust library segments
    /// it: .NET's segmentation, extended over the marks of <see cref="IsNewerGraphemeExtend"/>.
    /// </summary>
    public static int GraphemeLength(ReadOnlySpan<char> text, int start)
    {
        int length = StringInfo.GetNextTextElementLength(text[start..]);
        while (start + length < text.Length && IsNewerGraphemeExtend(CodePointAt(text, start + length, out _))
            && AcceptsExtend(text.Slice(start, length)))
        {
            // .NET starts a new cluster at the mark (plus any marks after it); Rust keeps them all in this one.
            length += StringInfo.GetNextTextElementLength(text[(start + length)..]);
        }

        return length;
    }

    // Whether a cluster takes a following Extend character (not after a control, CR or LF: rule GB4): ask .NET with U+0300.
    private static bool AcceptsExtend(ReadOnlySpan<char> cluster)
    {
        Span<char> probe = cluster.Length < 64 ? stackalloc char[cluster.Length + 1] : new char[cluster.Length + 1];
        cluster.CopyTo(probe);
        probe[^1] = '\u0300';
        return StringInfo.GetNextTextElementLength(probe) == probe.Length;
    }

    /// <summary>The Unicode general category of a code point (valid scalar values only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UnicodeCategory Category(int codePoint) => CharUnicodeInfo.GetUnicodeCategory(codePoint);

    /// <summary>Reads the code point at <paramref name="index"/> (text must hold no lone surrogates) and its UTF-16 length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CodePointAt(ReadOnlySpan<char> text, int index, out int length)
    {
        char c = text[index];
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            length = 2;
            return char.ConvertToUtf32(c, text[index + 1]);
        }

        length = 1;
        return c;
    }
}
