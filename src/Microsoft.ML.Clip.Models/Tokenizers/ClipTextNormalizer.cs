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
}
