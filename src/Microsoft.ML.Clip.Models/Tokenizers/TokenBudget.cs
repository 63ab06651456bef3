using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// Cuts an encoding (start tokens, pieces, end tokens, with offsets) to a maximum token count the way Hugging Face
/// truncates (<c>truncation=True, max_length=n</c>: the special tokens stay, the pieces are cut between them), except
/// that a cut never falls inside a character (see <see cref="IsCleanCut"/>).
/// </summary>
internal static class TokenBudget
{
    /// <summary>The kept tokens and the index into the original text where the kept pieces end (or begin, from the end).</summary>
    public readonly record struct Cut(IReadOnlyList<EncodedToken> Tokens, int Index);

    /// <summary>Keeps the start tokens, the first pieces that fit and the end tokens; Index is where the kept pieces end.</summary>
    public static Cut FromStart(List<EncodedToken> tokens, int prefix, int suffix, int maxTokenCount)
    {
        int pieces = tokens.Count - prefix - suffix;
        if (maxTokenCount < prefix + suffix)
        {
            return new Cut(tokens.GetRange(0, Math.Min(maxTokenCount, prefix)), 0);
        }

        int keep = Math.Min(pieces, maxTokenCount - prefix - suffix);
        while (keep > 0 && !IsCleanCut(tokens, prefix + keep))
        {
            keep--;
        }

        var kept = tokens.GetRange(0, prefix + keep);
        kept.AddRange(tokens.GetRange(tokens.Count - suffix, suffix));
        return new Cut(kept, keep > 0 ? tokens[prefix + keep - 1].Offset.End.Value : 0);
    }

    /// <summary>Keeps the start tokens, the last pieces that fit and the end tokens; Index is where the kept pieces begin.</summary>
    public static Cut FromEnd(List<EncodedToken> tokens, int prefix, int suffix, int maxTokenCount, int textLength)
    {
        int pieces = tokens.Count - prefix - suffix;
        if (maxTokenCount < prefix + suffix)
        {
            return new Cut(tokens.GetRange(tokens.Count - suffix, Math.Min(maxTokenCount, suffix)), textLength);
        }

        int keep = Math.Min(pieces, maxTokenCount - prefix - suffix);
        int pieceEnd = prefix + pieces;
        while (keep > 0 && !IsCleanCut(tokens, pieceEnd - keep))
        {
            keep--;
        }

        var kept = tokens.GetRange(0, prefix);
        kept.AddRange(tokens.GetRange(pieceEnd - keep, keep + suffix));
        return new Cut(kept, keep > 0 ? tokens[pieceEnd - keep].Offset.Start.Value : textLength);
    }

    /// <summary>
    /// Whether the tokens may be cut between <c>tokens[at - 1]</c> and <c>tokens[at]</c>: they do not overlap, and the
    /// first is not an empty part of the character the second completes (the empty-range convention of
    /// <see cref="AlignedText.MapToOriginal"/>).
    /// </summary>
    public static bool IsCleanCut(List<EncodedToken> tokens, int at)
    {
        if (at <= 0 || at >= tokens.Count)
        {
            return true;
        }

        Range before = tokens[at - 1].Offset;
        Range after = tokens[at].Offset;
        if (after.Start.Value < before.End.Value)
        {
            return false;
        }

        bool beforeEmpty = before.End.Value == before.Start.Value;
        return !beforeEmpty || after.Start.Value > before.Start.Value;
    }
}
