using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>One step of a tokenizer.json normaliser sequence, with the Rust library's semantics.</summary>
internal abstract class NormalizerStep
{
    /// <summary>Applies the step to a text holding no lone surrogates.</summary>
    public abstract string Apply(string text);

    /// <summary>Applies the step keeping track of where each output unit came from; the text equals <see cref="Apply(string)"/>'s.</summary>
    public abstract AlignedText Apply(AlignedText text);

    /// <summary>Reads a tokenizer.json <c>normalizer</c> (null, one step or a <c>Sequence</c>).</summary>
    public static List<NormalizerStep> ReadAll(JsonElement normalizer, string source)
    {
        var steps = new List<NormalizerStep>();
        if (normalizer.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return steps;
        }

        string? type = TokenizerJson.OptionalString(normalizer, "type");
        if (type == "Sequence")
        {
            foreach (var step in TokenizerJson.Required(normalizer, "normalizers", source, "normalizer").EnumerateArray())
            {
                steps.AddRange(ReadAll(step, source));
            }

            return steps;
        }

        steps.Add(type switch
        {
            "Precompiled" => ReadPrecompiled(normalizer, source),
            "Strip" => new StripStep(TokenizerJson.OptionalBool(normalizer, "strip_left", false), TokenizerJson.OptionalBool(normalizer, "strip_right", false)),
            "Replace" => ReplaceStep.Read(normalizer, source),
            "NFC" => new UnicodeFormStep(NormalizationForm.FormC),
            "NFD" => new UnicodeFormStep(NormalizationForm.FormD),
            "NFKC" => new UnicodeFormStep(NormalizationForm.FormKC),
            "NFKD" => new UnicodeFormStep(NormalizationForm.FormKD),
            "Lowercase" => new LowercaseStep(),
            _ => throw new NotSupportedException(
                $"{source}: normalizer type '{type}' is not supported (Precompiled, Strip, Replace, NFC/NFD/NFKC/NFKD, Lowercase and Sequence are)."),
        });
        return steps;
    }

    private static NormalizerStep ReadPrecompiled(JsonElement normalizer, string source)
    {
        string? base64 = TokenizerJson.OptionalString(normalizer, "precompiled_charsmap");
        if (string.IsNullOrEmpty(base64))
        {
            return new UnicodeFormStep(null);
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(base64);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{source}: normalizer precompiled_charsmap is not valid base64.", e);
        }

        return new PrecompiledStep(new PrecompiledCharsMap(blob, source));
    }
}

/// <summary>The <c>Precompiled</c> normaliser (SentencePiece charsmap).</summary>
internal sealed class PrecompiledStep(PrecompiledCharsMap map) : NormalizerStep
{
    public override string Apply(string text) => map.Normalize(text);

    public override AlignedText Apply(AlignedText text) => map.Normalize(text);
}

/// <summary><c>Strip</c>: removes Unicode white space (Rust <c>char::is_whitespace</c>) at either end.</summary>
internal sealed class StripStep(bool left, bool right) : NormalizerStep
{
    public override string Apply(string text)
    {
        int start = 0;
        int end = text.Length;
        while (left && start < end && UnicodeText.IsWhiteSpace(UnicodeText.CodePointAt(text, start, out int width)))
        {
            start += width;
        }

        while (right && end > start && UnicodeText.IsWhiteSpace(text[end - 1]))
        {
            end--; // White_Space characters are all in the BMP
        }

        return start == 0 && end == text.Length ? text : text[start..end];
    }

    public override AlignedText Apply(AlignedText text)
    {
        string stripped = Apply(text.Text);
        if (ReferenceEquals(stripped, text.Text))
        {
            return text;
        }

        // Strip removes white space at the ends only: find where the kept part starts.
        int start = 0;
        while (left && start < text.Text.Length && UnicodeText.IsWhiteSpace(UnicodeText.CodePointAt(text.Text, start, out int width)))
        {
            start += width;
        }

        var builder = text.Derive(stripped.Length);
        builder.Copy(start, start + stripped.Length);
        return builder.ToAlignedText();
    }
}

/// <summary>
/// <c>Replace</c>: a literal string or a regex, every match replaced by <c>content</c>. The pattern SentencePiece
/// converters write, <c>" {2,}"</c>, is run by hand; other regexes use .NET's engine (Oniguruma in Rust), which
/// agrees on ordinary patterns.
/// </summary>
internal sealed class ReplaceStep : NormalizerStep
{
    private readonly string? _literal;
    private readonly Regex? _regex;
    private readonly bool _spaceRuns;
    private readonly string _content;

    private ReplaceStep(string? literal, Regex? regex, bool spaceRuns, string content)
    {
        _literal = literal;
        _regex = regex;
        _spaceRuns = spaceRuns;
        _content = content;
    }

    /// <summary>A step replacing each run of two or more spaces by <paramref name="content"/>.</summary>
    public static ReplaceStep SpaceRuns(string content) => new(null, null, true, content);

    public static ReplaceStep Read(JsonElement normalizer, string source)
    {
        var pattern = TokenizerJson.Required(normalizer, "pattern", source, "normalizer(Replace)");
        string content = TokenizerJson.OptionalString(normalizer, "content") ?? string.Empty;
        if (TokenizerJson.OptionalString(pattern, "String") is string literal)
        {
            return new ReplaceStep(literal, null, false, content);
        }

        string regex = TokenizerJson.OptionalString(pattern, "Regex")
            ?? throw new InvalidDataException($"{source}: a Replace normalizer has neither a String nor a Regex pattern.");
        if (regex == " {2,}")
        {
            return SpaceRuns(content);
        }

        try
        {
            return new ReplaceStep(null, new Regex(regex, RegexOptions.CultureInvariant), false, content);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: the Replace pattern /{regex}/ is not a regex .NET can run ({e.Message}).", e);
        }
    }

    public override AlignedText Apply(AlignedText text)
    {
        string source = text.Text;
        var builder = text.Derive();
        int copied = 0;
        void Replace(int from, int to)
        {
            builder.Copy(copied, from);
            builder.Append(_content, from, to);
            copied = to;
        }

        if (_literal is not null)
        {
            if (_literal.Length == 0)
            {
                return text;
            }

            for (int at = source.IndexOf(_literal, StringComparison.Ordinal); at >= 0; at = source.IndexOf(_literal, copied, StringComparison.Ordinal))
            {
                Replace(at, at + _literal.Length);
            }
        }
        else if (_regex is not null)
        {
            foreach (Match match in _regex.Matches(source))
            {
                Replace(match.Index, match.Index + match.Length);
            }
        }
        else
        {
            for (int i = 0; i < source.Length;)
            {
                if (source[i] == ' ' && i + 1 < source.Length && source[i + 1] == ' ')
                {
                    int run = i;
                    while (i < source.Length && source[i] == ' ')
                    {
                        i++;
                    }

                    Replace(run, i);
                }
                else
                {
                    i++;
                }
            }
        }

        builder.Copy(copied, source.Length);
        return builder.ToAlignedText();
    }

    public override string Apply(string text)
    {
        if (_literal is not null)
        {
            return _literal.Length == 0 ? text : text.Replace(_literal, _content, StringComparison.Ordinal);
        }

        if (_regex is not null)
        {
            return _regex.Replace(text, _content.Replace("$", "$$", StringComparison.Ordinal));
        }

        int first = text.IndexOf("  ", StringComparison.Ordinal);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, first);
        for (int i = first; i < text.Length;)
        {
            if (text[i] == ' ' && i + 1 < text.Length && text[i + 1] == ' ')
            {
                while (i < text.Length && text[i] == ' ')
                {
                    i++;
                }

                builder.Append(_content);
            }
            else
            {
                builder.Append(text[i++]);
            }
        }

        return builder.ToString();
    }

}

/// <summary>A Unicode normalisation form (or nothing, for an empty Precompiled map).</summary>
internal sealed class UnicodeFormStep(NormalizationForm? form) : NormalizerStep
{
    public override string Apply(string text) =>
        form is NormalizationForm f ? UnicodeText.Normalize(text, f) : text;

    public override AlignedText Apply(AlignedText text) =>
        form is NormalizationForm f ? AlignedNormalization.Normalize(text, f) : text;
}

/// <summary><c>Lowercase</c>: Rust's per-character <c>to_lowercase</c>.</summary>
internal sealed class LowercaseStep : NormalizerStep
{
    public override string Apply(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            UnicodeText.AppendLowercase(UnicodeText.CodePointAt(text, i, out int width), builder);
            i += width;
        }

        return builder.ToString();
    }

    public override AlignedText Apply(AlignedText text)
    {
        var builder = text.Derive();
        for (int i = 0; i < text.Text.Length;)
        {
            int codePoint = UnicodeText.CodePointAt(text.Text, i, out int width);
            AlignedNormalization.AppendLowercase(builder, codePoint, i, i + width);
            i += width;
        }

        return builder.ToAlignedText();
    }
}
