using System.Text;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// A text derived from an original string (by normalisation, pre-tokenisation, …) that remembers, for each of its
/// UTF-16 units, the span <c>[Start, End)</c> of the original text it came from — like the alignments of the Rust
/// library's <c>NormalizedString</c>. A unit inserted from nothing (a prepended <c>▁</c>) has an empty span at the
/// position of what follows it; all units produced from one original character (or cluster) share its span, so a
/// token that covers only part of them can be told apart (see <see cref="MapToOriginal"/>).
/// </summary>
internal sealed class AlignedText
{
    private AlignedText(string text, int[] start, int[] end, int endOffset)
    {
        Text = text;
        Start = start;
        End = end;
        EndOffset = endOffset;
    }

    /// <summary>The derived text.</summary>
    public string Text { get; }

    /// <summary>Per unit of <see cref="Text"/>: where its source begins in the original text.</summary>
    public int[] Start { get; }

    /// <summary>Per unit of <see cref="Text"/>: where its source ends in the original text.</summary>
    public int[] End { get; }

    /// <summary>The original position just after the whole source (where an insertion at the very end maps).</summary>
    public int EndOffset { get; }

    /// <summary>
    /// <paramref name="text"/>[offset..offset+length] unchanged; a surrogate pair's two units share the pair's span.
    /// </summary>
    public static AlignedText Identity(string text, int offset, int length)
    {
        var start = new int[length];
        var end = new int[length];
        for (int i = 0; i < length; i++)
        {
            bool pair = char.IsHighSurrogate(text[offset + i]) && i + 1 < length && char.IsLowSurrogate(text[offset + i + 1]);
            start[i] = offset + i;
            end[i] = offset + i + (pair ? 2 : 1);
            if (pair)
            {
                start[i + 1] = offset + i;
                end[i + 1] = offset + i + 2;
                i++;
            }
        }

        return new AlignedText(text.Substring(offset, length), start, end, offset + length);
    }

    /// <summary>Starts a text derived from this one.</summary>
    public Builder Derive(int capacity = 0) => new(this, capacity == 0 ? Text.Length : capacity);

    /// <summary>The original span of this text's units [from, to): from the first unit's start to the last unit's end.</summary>
    public Range SpanOf(int from, int to)
    {
        if (from >= to)
        {
            int at = from < Text.Length ? Start[from] : EndOffset;
            return new Range(at, at);
        }

        return new Range(Start[from], End[to - 1]);
    }

    /// <summary>
    /// The original range of a token made of units [a, b) of a unit sequence with spans <paramref name="start"/> /
    /// <paramref name="end"/>, whose slot <c>b</c> (possibly one past the token's word) holds the span of the unit
    /// that follows the token (or -1 when nothing follows). Microsoft.ML.Tokenizers' convention: a token begins at
    /// the original character its first unit comes from; when the unit after the token comes from the same original
    /// character as the token's last unit (a character split over several tokens: the bytes of an emoji, "ﬁ" → "f" "i"),
    /// the token ends where that character begins, so only the token completing the character covers it.
    /// </summary>
    public static Range MapToOriginal(ReadOnlySpan<int> start, ReadOnlySpan<int> end, int a, int b)
    {
        int first = start[a];
        int last = b - 1;
        bool split = start[b] == start[last] && end[b] == end[last] && end[last] > start[last];
        int stop = split ? start[last] : end[last];
        return new Range(first, Math.Max(first, stop));
    }

    /// <summary>Builds a text derived from a source <see cref="AlignedText"/>, each appended piece naming the source units it replaces.</summary>
    internal sealed class Builder
    {
        private readonly AlignedText _source;
        private readonly StringBuilder _text;
        private readonly List<int> _start;
        private readonly List<int> _end;

        public Builder(AlignedText source, int capacity)
        {
            _source = source;
            _text = new StringBuilder(capacity);
            _start = new List<int>(capacity);
            _end = new List<int>(capacity);
        }

        /// <summary>The number of units appended so far.</summary>
        public int Length => _text.Length;

        /// <summary>Appends <paramref name="chars"/> as the replacement of source units [from, to) (an insertion when equal).</summary>
        public void Append(ReadOnlySpan<char> chars, int from, int to)
        {
            Range span = _source.SpanOf(from, to);
            _text.Append(chars);
            for (int i = 0; i < chars.Length; i++)
            {
                _start.Add(span.Start.Value);
                _end.Add(span.End.Value);
            }
        }

        /// <summary>Appends <paramref name="c"/> as the replacement of source units [from, to).</summary>
        public void Append(char c, int from, int to) => Append(new ReadOnlySpan<char>(in c), from, to);

        /// <summary>Copies source units [from, to) unchanged, each keeping its own span.</summary>
        public void Copy(int from, int to)
        {
            _text.Append(_source.Text, from, to - from);
            for (int i = from; i < to; i++)
            {
                _start.Add(_source.Start[i]);
                _end.Add(_source.End[i]);
            }
        }

        /// <summary>The derived text.</summary>
        public AlignedText ToAlignedText() => new(_text.ToString(), _start.ToArray(), _end.ToArray(), _source.EndOffset);
    }
}
