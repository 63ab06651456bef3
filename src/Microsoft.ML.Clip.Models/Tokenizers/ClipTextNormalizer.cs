using System.Text;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// CLIPTokenizerFast's normaliser, <c>Sequence[NFC, Replace(Regex "\s+" → " "), Lowercase]</c>: canonical
/// composition, every run of white space (Unicode <c>White_Space</c>) collapsed to one space, and Rust's
/// per-character <c>to_lowercase</c>.
/// </summary>
internal static class ClipTextNormalizer
{
    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>Normalises a text that holds no lone surrogates.</summary>
    public static string Normalize(string text)
    {
        // Everything below U+0300 is already NFC: only combining marks (U+0300 up) and other scripts can change.
        if (text.AsSpan().IndexOfAnyInRange('\u0300', '\uFFFF') >= 0)
        {
            text = UnicodeText.Normalize(text, NormalizationForm.FormC);
        }

        var builder = t_builder ??= new StringBuilder(256);
        builder.Clear();
        bool inWhiteSpace = false;
        ReadOnlySpan<char> span = text;
        for (int i = 0; i < span.Length;)
        {
            int codePoint = UnicodeText.CodePointAt(span, i, out int width);
            i += width;
            if (UnicodeText.IsWhiteSpace(codePoint))
            {
                if (!inWhiteSpace)
                {
                    builder.Append(' ');
                    inWhiteSpace = true;
                }

                continue;
            }

            inWhiteSpace = false;
            UnicodeText.AppendLowercase(codePoint, builder);
        }

        string result = builder.ToString();
        if (builder.Capacity > 1 << 16)
        {
            t_builder = null; // do not keep megabyte buffers alive per thread
        }

        return result;
    }
    /// <summary><see cref="Normalize(string)"/> with alignment (a collapsed white-space run comes from the whole run).</summary>
    public static AlignedText Normalize(AlignedText input)
    {
        AlignedText composed = input.Text.AsSpan().IndexOfAnyInRange('\u0300', '\uFFFF') >= 0
            ? AlignedNormalization.Normalize(input, NormalizationForm.FormC)
            : input;
        string text = composed.Text;
        var builder = composed.Derive();
        for (int i = 0; i < text.Length;)
        {
            int codePoint = UnicodeText.CodePointAt(text, i, out int width);
            if (UnicodeText.IsWhiteSpace(codePoint))
            {
                int run = i;
                while (i < text.Length && UnicodeText.IsWhiteSpace(UnicodeText.CodePointAt(text, i, out int runWidth)))
                {
                    i += runWidth;
                }

                builder.Append(' ', run, i);
                continue;
            }

            AlignedNormalization.AppendLowercase(builder, codePoint, i, i + width);
            i += width;
        }

        return builder.ToAlignedText();
    }
}
