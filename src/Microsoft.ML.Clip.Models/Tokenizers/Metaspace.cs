using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>When <see cref="Metaspace"/> puts a replacement character in front of a run.</summary>
internal enum PrependScheme
{
    /// <summary>Always (unless the run already starts with it).</summary>
    Always,

    /// <summary>Only for the run at the start of the text.</summary>
    First,

    /// <summary>Never.</summary>
    Never,
}

/// <summary>
/// The <c>Metaspace</c> pre-tokeniser and decoder of the Rust library: spaces become <c>▁</c>, a <c>▁</c> is
/// prepended per the scheme, and the run is cut before every <c>▁</c> (<c>MergedWithNext</c>); decoding turns
/// <c>▁</c> back into spaces, dropping every <c>▁</c> of the first token.
/// </summary>
internal sealed class Metaspace
{
    [ThreadStatic]
    private static StringBuilder? t_builder;

    public Metaspace(char replacement, PrependScheme prependScheme, bool split)
    {
        Replacement = replacement;
        PrependScheme = prependScheme;
        Split = split;
    }

    public char Replacement { get; }

    public PrependScheme PrependScheme { get; }

    public bool Split { get; }

    /// <summary>Reads a <c>Metaspace</c> pre-tokenizer or decoder object (old files have <c>add_prefix_space</c> instead of <c>prepend_scheme</c>).</summary>
    public static Metaspace Read(JsonElement element, string source, string where)
    {
        string replacement = TokenizerJson.OptionalString(element, "replacement") ?? "\u2581";
        if (replacement.Length != 1)
        {
            throw new InvalidDataException($"{source}: {where}.replacement must be one character, found \"{replacement}\".");
        }

        string? scheme = TokenizerJson.OptionalString(element, "prepend_scheme");
        var prepend = scheme switch
        {
            "always" => PrependScheme.Always,
            "first" => PrependScheme.First,
            "never" => PrependScheme.Never,
            null => TokenizerJson.OptionalBool(element, "add_prefix_space", true) ? PrependScheme.Always : PrependScheme.Never,
            _ => throw new InvalidDataException($"{source}: {where}.prepend_scheme '{scheme}' is not always, first or never."),
        };
        return new Metaspace(replacement[0], prepend, TokenizerJson.OptionalBool(element, "split", true));
    }

    /// <summary>Pre-tokenises the run text[start..start+length] and appends the model ids of each piece.</summary>
    public void PreTokenize(string text, int start, int length, bool atTextStart, UnigramModel model, List<int> ids)
    {
        var builder = t_builder ??= new StringBuilder(64);
        builder.Clear();
        ReadOnlySpan<char> run = text.AsSpan(start, length);
        bool prepend = PrependScheme switch
        {
            PrependScheme.Always => true,
            PrependScheme.First => atTextStart,
            _ => false,
        };
        // The space → ▁ replacement happens first, so a leading space counts as a leading ▁.
        if (prepend && run[0] != ' ' && run[0] != Replacement)
        {
            builder.Append(Replacement);
        }

        foreach (char c in run)
        {
            builder.Append(c == ' ' ? Replacement : c);
        }

        string replaced = builder.ToString();
        if (builder.Capacity > 1 << 16)
        {
            t_builder = null;
        }

        if (!Split)
        {
            model.Encode(replaced, ids);
            return;
        }

        int pieceStart = 0;
        for (int i = 1; i < replaced.Length; i++)
        {
            if (replaced[i] == Replacement)
            {
                model.Encode(replaced.AsSpan(pieceStart, i - pieceStart), ids);
                pieceStart = i;
            }
        }

        model.Encode(replaced.AsSpan(pieceStart), ids);
    }

    /// <summary>
    /// <see cref="PreTokenize"/> with offsets: the pieces' tokens are appended with their ranges in the original text
    /// (a prepended <c>▁</c> comes from nothing, so a token that is only that <c>▁</c> is empty; a <c>▁</c> that
    /// replaced a space covers it). <paramref name="tokenValue"/> gives each id's string.
    /// </summary>
    public void PreTokenizeWithOffsets(AlignedText text, int start, int length, bool atTextStart, UnigramModel model,
        Func<int, string> tokenValue, List<EncodedToken> output)
    {
        var builder = text.Derive(length + 1);
        bool prepend = PrependScheme switch
        {
            PrependScheme.Always => true,
            PrependScheme.First => atTextStart,
            _ => false,
        };
        char first = text.Text[start];
        if (prepend && first != ' ' && first != Replacement)
        {
            builder.Append(Replacement, start, start);
        }

        for (int i = start; i < start + length; i++)
        {
            if (text.Text[i] == ' ')
            {
                builder.Append(Replacement, i, i + 1);
            }
            else
            {
                builder.Copy(i, i + 1);
            }
        }

        AlignedText replaced = builder.ToAlignedText();
        int n = replaced.Text.Length;
        // One slot past the run: the unit that follows it in the normalised text, if any (see AlignedText.MapToOriginal).
        int[] spanStart = new int[n + 1];
        int[] spanEnd = new int[n + 1];
        replaced.Start.CopyTo(spanStart, 0);
        replaced.End.CopyTo(spanEnd, 0);
        int after = start + length;
        spanStart[n] = after < text.Text.Length ? text.Start[after] : -1;
        spanEnd[n] = after < text.Text.Length ? text.End[after] : -1;

        var pieces = new List<ModelToken>();
        void EncodePiece(int from, int to)
        {
            pieces.Clear();
            model.EncodeWithSpans(replaced.Text.AsSpan(from, to - from), pieces);
            foreach (var token in pieces)
            {
                // Like the Rust library, a (fused) unknown token's string is the text it stands for.
                string value = token.Id == model.UnknownId ? replaced.Text.Substring(from + token.Start, token.End - token.Start) : tokenValue(token.Id);
                output.Add(new EncodedToken(token.Id, value,
                    AlignedText.MapToOriginal(spanStart, spanEnd, from + token.Start, from + token.End)));
            }
        }

        if (!Split)
        {
            EncodePiece(0, n);
            return;
        }

        int pieceStart = 0;
        for (int i = 1; i < n; i++)
        {
            if (replaced.Text[i] == Replacement)
            {
                EncodePiece(pieceStart, i);
                pieceStart = i;
            }
        }

        EncodePiece(pieceStart, n);
    }

    /// <summary>The decoder: <c>▁</c> → space in every token but the first, where it is dropped (unless the scheme is never).</summary>
    public string Decode(IReadOnlyList<string> tokens)
    {
        var builder = new StringBuilder();
        for (int i = 0; i < tokens.Count; i++)
        {
            foreach (char c in tokens[i])
            {
                if (c != Replacement)
                {
                    builder.Append(c);
                }
                else if (i != 0 || PrependScheme == PrependScheme.Never)
                {
                    builder.Append(' ');
                }
            }
        }

        return builder.ToString();
    }
}
