using System.Collections.Concurrent;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// A Unigram language model segmenter exactly as the Rust <c>tokenizers::models::unigram::Unigram</c> runs it
/// (<c>encode_optimized</c>, SentencePiece's Viterbi): every vocabulary entry that starts at a position extends
/// the best path ending there (ties keep the first path found); a character with no single-character entry gets
/// an unknown node scored <c>min_score - 10</c>; runs of unknown nodes are fused into one token
/// (<c>fuse_unk</c>). O(n · longest entry) per word; short words are cached.
/// </summary>
internal sealed class UnigramModel
{
    private const double UnknownPenalty = 10.0;
    private const int MaxCachedWordLength = 64;
    private const int MaxCacheEntries = 200_000;

    private readonly string[] _pieces;
    private readonly double[] _scores;
    private readonly Dictionary<string, int> _tokenToId;
    private readonly PieceTrie _trie;
    private readonly double _unknownScore;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    [ThreadStatic]
    private static Lattice? t_lattice;

    /// <summary>Builds the model from (piece, score) pairs in id order.</summary>
    public UnigramModel(IReadOnlyList<(string Piece, double Score)> vocabulary, int unknownId, string source)
    {
        if (vocabulary.Count == 0)
        {
            throw new InvalidDataException($"{source}: the Unigram vocabulary is empty.");
        }

        if (unknownId < 0 || unknownId >= vocabulary.Count)
        {
            throw new InvalidDataException($"{source}: unk_id {unknownId} is outside the vocabulary of {vocabulary.Count} pieces.");
        }

        UnknownId = unknownId;
        _pieces = new string[vocabulary.Count];
        _scores = new double[vocabulary.Count];
        _tokenToId = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        double minScore = double.MaxValue;
        for (int id = 0; id < vocabulary.Count; id++)
        {
            var (piece, score) = vocabulary[id];
            _pieces[id] = piece;
            _scores[id] = score;
            _tokenToId[piece] = id; // a repeated piece maps to its last id, as in Rust's HashMap
            minScore = Math.Min(minScore, score);
        }

        _trie = new PieceTrie(_tokenToId.Where(entry => entry.Key.Length > 0));

        _unknownScore = minScore - UnknownPenalty;
    }

    /// <summary>The id of the unknown token.</summary>
    public int UnknownId { get; }

    /// <summary>The number of pieces.</summary>
    public int Count => _pieces.Length;

    /// <summary>The piece with this id, or null.</summary>
    public string? IdToToken(int id) => id >= 0 && id < _pieces.Length ? _pieces[id] : null;

    /// <summary>Appends the ids of the segmentation of one pre-tokenised word.</summary>
    public void Encode(ReadOnlySpan<char> word, List<int> output)
    {
        if (word.IsEmpty)
        {
            return;
        }

        if (word.Length > MaxCachedWordLength)
        {
            Segment(word, output);
            return;
        }

        string key = word.ToString();
        if (_cache.TryGetValue(key, out int[]? cached))
        {
            output.AddRange(cached);
            return;
        }

        int before = output.Count;
        Segment(word, output);
        if (_cache.Count < MaxCacheEntries)
        {
            _cache.TryAdd(key, output.GetRange(before, output.Count - before).ToArray());
        }
    }

    private void Segment(ReadOnlySpan<char> word, List<int>? output, List<ModelToken>? spans = null)
    {
        int n = word.Length;
        var lattice = t_lattice ??= new Lattice();
        lattice.Reset(n);
        double[] best = lattice.Score;
        int[] startsAt = lattice.StartsAt;
        int[] nodeId = lattice.Id;

        for (int start = 0; start < n;)
        {
            double tillHere = best[start];
            int charLength = char.IsHighSurrogate(word[start]) && start + 1 < n && char.IsLowSurrogate(word[start + 1]) ? 2 : 1;
            bool hasSingleNode = false;
            int node = PieceTrie.Root;
            for (int k = start; k < n;)
            {
                node = _trie.Child(node, word[k]);
                if (node < 0)
                {
                    break;
                }

                k++;
                int id = _trie.Value(node);
                if (id < 0 || (k < n && char.IsLowSurrogate(word[k]) && char.IsHighSurrogate(word[k - 1])))
                {
                    continue;
                }

                double candidate = _scores[id] + tillHere;
                if (startsAt[k] < 0 || candidate > best[k])
                {
                    best[k] = candidate;
                    startsAt[k] = start;
                    nodeId[k] = id;
                }

                if (k - start == charLength)
                {
                    hasSingleNode = true;
                }
            }

            if (!hasSingleNode)
            {
                int target = start + charLength;
                double candidate = _unknownScore + tillHere;
                if (startsAt[target] < 0 || candidate > best[target])
                {
                    best[target] = candidate;
                    startsAt[target] = start;
                    nodeId[target] = UnknownId;
                }
            }

            start += charLength;
        }

        // Backtrack; runs of unknown nodes become one token, looked up by its text (usually <unk>).
        int before = spans?.Count ?? output!.Count;
        int end = n;
        int unknownEnd = -1;
        int unknownStart = -1;
        void Emit(int id, int from, int to)
        {
            if (spans is null)
            {
                output!.Add(id);
            }
            else
            {
                spans.Add(new ModelToken(id, from, to));
            }
        }

        while (end > 0)
        {
            int start = startsAt[end];
            if (nodeId[end] == UnknownId)
            {
                unknownStart = start;
                if (unknownEnd < 0)
                {
                    unknownEnd = end;
                }
            }
            else
            {
                if (unknownEnd >= 0)
                {
                    Emit(LookUp(word[unknownStart..unknownEnd]), unknownStart, unknownEnd);
                    unknownEnd = -1;
                }

                Emit(nodeId[end], start, end);
            }

            end = start;
        }

        if (unknownEnd >= 0)
        {
            Emit(LookUp(word[unknownStart..unknownEnd]), unknownStart, unknownEnd);
        }

        if (spans is null)
        {
            output!.Reverse(before, output.Count - before);
        }
        else
        {
            spans.Reverse(before, spans.Count - before);
        }
    }

    /// <summary>
    /// Appends the tokens of one pre-tokenised word with the UTF-16 units of the word each covers (the same ids as
    /// <see cref="Encode"/>; not cached).
    /// </summary>
    public void EncodeWithSpans(ReadOnlySpan<char> word, List<ModelToken> output)
    {
        if (word.IsEmpty)
        {
            return;
        }

        // The cached ids, each piece being its own text, unless an unknown run (whose length the id does not tell) is among them.
        var ids = new List<int>(8);
        Encode(word, ids);
        int position = 0;
        foreach (int id in ids)
        {
            if (id == UnknownId)
            {
                Segment(word, null, output);
                return;
            }

            position += _pieces[id].Length;
        }

        if (position != word.Length)
        {
            Segment(word, null, output);
            return;
        }

        position = 0;
        foreach (int id in ids)
        {
            output.Add(new ModelToken(id, position, position + _pieces[id].Length));
            position += _pieces[id].Length;
        }
    }

    private int LookUp(ReadOnlySpan<char> token) =>
        _tokenToId.TryGetValue(token.ToString(), out int id) ? id : UnknownId;

    private sealed class Lattice
    {
        public double[] Score = new double[64];
        public int[] StartsAt = new int[64];
        public int[] Id = new int[64];

        public void Reset(int length)
        {
            if (Score.Length < length + 1)
            {
                int size = Math.Max(length + 1, Score.Length * 2);
                Score = new double[size];
                StartsAt = new int[size];
                Id = new int[size];
            }

            Array.Clear(Score, 0, length + 1);
            Array.Fill(StartsAt, -1, 0, length + 1);
        }
    }
}
