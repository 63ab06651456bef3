using System.Globalization;
using System.Text;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// The normalisations of <see cref="UnicodeText"/> on an <see cref="AlignedText"/>: the same output text, with each
/// output unit knowing which original characters it came from (for token offsets).
/// </summary>
internal static class AlignedNormalization
{
    [ThreadStatic]
    private static StringBuilder? t_scratch;

    /// <summary>
    /// Unicode normalisation (<see cref="UnicodeText.Normalize"/>) with alignment. The text is cut before every
    /// starter (a code point that is neither a combining mark nor a Hangul vowel or trailing jamo) and each piece is
    /// normalised on its own, so a composed or expanded character maps to exactly the characters it came from; when
    /// that does not reproduce the normalisation of the whole text (a composition across such a cut), the whole text
    /// is one piece, so the output text is always exactly <see cref="UnicodeText.Normalize"/>'s.
    /// </summary>
    public static AlignedText Normalize(AlignedText input, NormalizationForm form)
    {
        string text = input.Text;
        string whole = UnicodeText.Normalize(text, form);
        if (whole == text)
        {
            return input;
        }

        var builder = input.Derive(whole.Length);
        int pieceStart = 0;
        for (int i = 0; i < text.Length;)
        {
            int codePoint = UnicodeText.CodePointAt(text, i, out int width);
            if (i > pieceStart && IsStarter(codePoint))
            {
                AppendPiece(builder, text, pieceStart, i, form);
                pieceStart = i;
            }

            i += width;
        }

        AppendPiece(builder, text, pieceStart, text.Length, form);
        AlignedText pieces = builder.ToAlignedText();
        if (pieces.Text == whole)
        {
            return pieces;
        }

        var coarse = input.Derive(whole.Length);
        coarse.Append(whole, 0, text.Length);
        return coarse.ToAlignedText();
    }

    /// <summary>Appends Rust's per-character lower case of source units [from, to) (one code point).</summary>
    public static void AppendLowercase(AlignedText.Builder builder, int codePoint, int from, int to)
    {
        if (codePoint < 0x80)
        {
            builder.Append((char)((uint)(codePoint - 'A') <= 'Z' - 'A' ? codePoint + 32 : codePoint), from, to);
            return;
        }

        var scratch = t_scratch ??= new StringBuilder(8);
        scratch.Clear();
        UnicodeText.AppendLowercase(codePoint, scratch);
        Span<char> lowered = stackalloc char[scratch.Length];
        scratch.CopyTo(0, lowered, scratch.Length);
        builder.Append(lowered, from, to);
    }

    private static void AppendPiece(AlignedText.Builder builder, string text, int from, int to, NormalizationForm form)
    {
        string piece = text[from..to];
        string normalized = UnicodeText.Normalize(piece, form);
        if (normalized == piece)
        {
            builder.Copy(from, to);
        }
        else
        {
            builder.Append(normalized, from, to);
        }
    }

    private static bool IsStarter(int codePoint)
    {
        if (codePoint < 0x300)
        {
            return true;
        }

        // Hangul vowel and trailing jamo compose with what precedes them (leading jamo start syllables).
        if ((uint)(codePoint - 0x1160) <= 0x11FF - 0x1160 || (uint)(codePoint - 0xD7B0) <= 0xD7FF - 0xD7B0
            || codePoint is 0xFF9E or 0xFF9F)
        {
            return false;
        }

        return UnicodeText.Category(codePoint) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.EnclosingMark);
    }
}
