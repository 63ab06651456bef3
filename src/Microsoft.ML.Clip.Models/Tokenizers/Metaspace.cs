using System.Text;
using System.Text.Json;

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
