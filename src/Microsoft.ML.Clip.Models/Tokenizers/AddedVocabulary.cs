using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// The added tokens of a tokenizer and the Rust <c>AddedVocabulary::extract_and_normalize</c> flow: tokens with
/// <c>normalized: false</c> are cut out of the raw text first, each remaining run is normalised on its own, tokens
/// with <c>normalized: true</c> are cut out of the normalised runs, and what is left goes to the model.
/// </summary>
internal sealed class AddedVocabulary
{
    /// <summary>Encodes one normalised plain run; <paramref name="atTextStart"/> tells whether it begins the text.</summary>
    public delegate void RunEncoder(string normalized, int start, int length, bool atTextStart, List<int> ids);

    /// <summary>Encodes one normalised plain run, appending tokens with their offsets in the original text.</summary>
    public delegate void TracedRunEncoder(AlignedText normalized, int start, int length, bool atTextStart, List<EncodedToken> output);

    private readonly AddedTokenMatcher _raw;
    private readonly AddedTokenMatcher _normalized;
    private readonly Dictionary<int, AddedToken> _byId;

    [ThreadStatic]
    private static List<TextSegment>? t_rawSegments;

    [ThreadStatic]
    private static List<TextSegment>? t_normalizedSegments;

    public AddedVocabulary(IReadOnlyList<AddedToken> tokens)
    {
        Tokens = tokens;
        _raw = new AddedTokenMatcher(tokens.Where(t => !t.Normalized));
        _normalized = new AddedTokenMatcher(tokens.Where(t => t.Normalized));
        _byId = new Dictionary<int, AddedToken>();
        foreach (var token in tokens)
        {
            _byId[token.Id] = token;
        }
    }

    /// <summary>The added tokens.</summary>
    public IReadOnlyList<AddedToken> Tokens { get; }

    /// <summary>The added token with this id, if any.</summary>
    public bool TryGet(int id, out AddedToken token) => _byId.TryGetValue(id, out token!);

    /// <summary>
    /// Runs the flow: appends added-token ids and, for each normalised plain run, calls <paramref name="encodeRun"/>
    /// with the normalised text and the run's bounds (never empty).
    /// </summary>
    public void Encode(string text, List<int> ids, Func<string, string> normalize, RunEncoder encodeRun)
    {
        var rawSegments = t_rawSegments ??= new List<TextSegment>();
        rawSegments.Clear();
        if (text.Length == 0)
        {
            return;
        }

        _raw.Split(text, 0, text.Length, rawSegments);
        // The callbacks never re-enter this class on the same thread, so the thread's lists can be walked directly.
        for (int i = 0; i < rawSegments.Count; i++)
        {
            EncodeRawSegment(text, rawSegments[i], ids, normalize, encodeRun);
        }
    }

    private void EncodeRawSegment(string text, TextSegment segment, List<int> ids, Func<string, string> normalize, RunEncoder encodeRun)
    {
        if (segment.IsToken)
        {
            ids.Add(segment.TokenId);
            return;
        }

        string piece = segment.Start == 0 && segment.Length == text.Length ? text : text.Substring(segment.Start, segment.Length);
        string normalized = normalize(piece);
        if (normalized.Length == 0)
        {
            return;
        }

        if (_normalized.IsEmpty)
        {
            encodeRun(normalized, 0, normalized.Length, segment.Start == 0, ids);
            return;
        }

        var normalizedSegments = t_normalizedSegments ??= new List<TextSegment>();
        normalizedSegments.Clear();
        _normalized.Split(normalized, 0, normalized.Length, normalizedSegments);
        for (int i = 0; i < normalizedSegments.Count; i++)
        {
            var run = normalizedSegments[i];
            if (run.IsToken)
            {
                ids.Add(run.TokenId);
            }
            else
            {
                encodeRun(normalized, run.Start, run.Length, segment.Start == 0 && run.Start == 0, ids);
            }
        }
    }

    /// <summary>
    /// <see cref="Encode"/> with offsets: added tokens get the range they matched in the original text (a token
    /// matched in the normalised text, the characters it was normalised from) and, as in the Rust library, the matched
    /// text as their string (with any white space an <c>lstrip</c>/<c>rstrip</c> token absorbed); each plain run is passed to
    /// <paramref name="encodeRun"/> with the alignment of its normalised text.
    /// </summary>
    public void EncodeWithOffsets(string text, Func<AlignedText, AlignedText> normalize, TracedRunEncoder encodeRun, List<EncodedToken> output)
    {
        if (text.Length == 0)
        {
            return;
        }

        var rawSegments = new List<TextSegment>();
        _raw.Split(text, 0, text.Length, rawSegments);
        var normalizedSegments = new List<TextSegment>();
        foreach (var segment in rawSegments)
        {
            if (segment.IsToken)
            {
                output.Add(new EncodedToken(segment.TokenId, text.Substring(segment.Start, segment.Length), new Range(segment.Start, segment.Start + segment.Length)));
                continue;
            }

            AlignedText normalized = normalize(AlignedText.Identity(text, segment.Start, segment.Length));
            if (normalized.Text.Length == 0)
            {
                continue;
            }

            normalizedSegments.Clear();
            _normalized.Split(normalized.Text, 0, normalized.Text.Length, normalizedSegments);
            foreach (var run in normalizedSegments)
            {
                if (run.IsToken)
                {
                    output.Add(new EncodedToken(run.TokenId, normalized.Text.Substring(run.Start, run.Length), normalized.SpanOf(run.Start, run.Start + run.Length)));
                }
                else
                {
                    encodeRun(normalized, run.Start, run.Length, segment.Start == 0 && run.Start == 0, output);
                }
            }
        }
    }
}
