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

        int lower = Rune.ToLowerInvariant(new Rune(codePoint)).Value;
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
    /// Unicode normalisation that, like Rust's <c>unicode-normalization</c>, accepts every scalar value: .NET refuses
    /// U+FFFE, a starter that composes with nothing, so the text is normalised piecewise around it.
    /// </summary>
    public static string Normalize(string text, NormalizationForm form)
    {
        if (!text.Contains('\uFFFE'))
        {
            return text.IsNormalized(form) ? text : text.Normalize(form);
        }

        string[] parts = text.Split('\uFFFE');
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = parts[i].IsNormalized(form) ? parts[i] : parts[i].Normalize(form);
        }

        return string.Join('\uFFFE', parts);
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
