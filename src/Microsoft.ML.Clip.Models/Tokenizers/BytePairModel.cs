using System.Collections.Concurrent;
using System.Text;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// A byte-level BPE model as the Rust <c>tokenizers::models::bpe::BPE</c> runs it: a word's UTF-8 bytes start as
/// one symbol each (the last with the end-of-word suffix, CLIP's <c>&lt;/w&gt;</c>), then the adjacent pair of
/// lowest merge rank (leftmost on ties) is merged until none applies. A priority queue makes this O(n log n) in
/// the word length, so even a megabyte-long "word" is fine; results of short words are cached.
/// </summary>
internal sealed class BytePairModel
{
    private const int MaxCachedWordLength = 128;
    private const int MaxCacheEntries = 200_000;

    private readonly Dictionary<long, MergeTarget> _merges;
    private readonly int[] _byteIds;
    private readonly int[] _finalByteIds;
    private readonly int _unknownId;
    private readonly int[] _byteLevelLength; // per id: its number of characters when all are byte-level ones, else -1
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
#if NET9_0_OR_GREATER
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;
#endif

    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>Builds the model from a vocabulary and an ordered merge list.</summary>
    /// <param name="vocabulary">Token → id.</param>
    /// <param name="merges">The merges in rank order (first = rank 0).</param>
    /// <param name="endOfWordSuffix">The suffix of a word's last symbol (CLIP <c>&lt;/w&gt;</c>), or empty.</param>
    /// <param name="unknownToken">The token used for bytes missing from the vocabulary, or null to drop them.</param>
    /// <param name="source">The file(s) the data came from, for error messages.</param>
    public BytePairModel(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges,
        string endOfWordSuffix, string? unknownToken, string source)
    {
        Vocabulary = vocabulary;
        EndOfWordSuffix = endOfWordSuffix;
        int maxId = vocabulary.Count == 0 ? -1 : vocabulary.Values.Max();
        if (vocabulary.Values.Any(id => id < 0))
        {
            throw new InvalidDataException($"{source}: the vocabulary holds a negative id.");
        }

        IdToToken = new string[maxId + 1];
        foreach (var (token, id) in vocabulary)
        {
            IdToToken[id] = token;
        }

        _merges = new Dictionary<long, MergeTarget>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!vocabulary.TryGetValue(left, out int leftId) || !vocabulary.TryGetValue(right, out int rightId))
            {
                throw new InvalidDataException(
                    $"{source}: merge {rank} \"{left} {right}\" uses a token that is not in the vocabulary.");
            }

            if (!vocabulary.TryGetValue(left + right, out int newId))
            {
                throw new InvalidDataException(
                    $"{source}: merge {rank} \"{left} {right}\" makes \"{left + right}\", which is not in the vocabulary.");
            }

            _merges[Key(leftId, rightId)] = new MergeTarget(rank, newId); // a repeated pair keeps its last rank, as in Rust
        }

        _byteIds = new int[256];
        _finalByteIds = new int[256];
        for (int b = 0; b < 256; b++)
        {
            string symbol = ByteLevelAlphabet.ByteToChar[b].ToString();
            _byteIds[b] = vocabulary.TryGetValue(symbol, out int id) ? id : -1;
            _finalByteIds[b] = vocabulary.TryGetValue(symbol + endOfWordSuffix, out int finalId) ? finalId : -1;
        }

        if (unknownToken is not null && !vocabulary.TryGetValue(unknownToken, out _unknownId))
        {
            throw new InvalidDataException($"{source}: the unknown token \"{unknownToken}\" is not in the vocabulary.");
        }

        if (unknownToken is null)
        {
            _unknownId = -1;
        }

        _byteLevelLength = new int[IdToToken.Length];
        for (int id = 0; id < IdToToken.Length; id++)
        {
            string? token = IdToToken[id];
            _byteLevelLength[id] = token is null || id == _unknownId || token.Any(c => ByteLevelAlphabet.ToByte(c) < 0)
                ? -1
                : token.Length;
        }

#if NET9_0_OR_GREATER
        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
    }

    /// <summary>Token → id.</summary>
    public IReadOnlyDictionary<string, int> Vocabulary { get; }

    /// <summary>Id → token (null where no token has the id).</summary>
    public string?[] IdToToken { get; }

    /// <summary>The end-of-word suffix (CLIP <c>&lt;/w&gt;</c>).</summary>
    public string EndOfWordSuffix { get; }

    /// <summary>The number of merges.</summary>
    public int MergeCount => _merges.Count;

    /// <summary>Appends the ids of one pre-tokenised word (its text before byte-level mapping).</summary>
    public void Encode(ReadOnlySpan<char> word, List<int> output)
    {
        if (word.IsEmpty)
        {
            return;
        }

        if (word.Length <= MaxCachedWordLength)
        {
#if NET9_0_OR_GREATER
            if (_cacheBySpan.TryGetValue(word, out int[]? cached))
#else
            if (_cache.TryGetValue(word.ToString(), out int[]? cached))
#endif
            {
                output.AddRange(cached);
                return;
            }

            int[] ids = Merge(word);
            if (_cache.Count < MaxCacheEntries)
            {
                _cache.TryAdd(word.ToString(), ids);
            }

            output.AddRange(ids);
            return;
        }

        output.AddRange(Merge(word));
    }

    /// <summary>
    /// Appends the tokens of one pre-tokenised word with the UTF-8 byte range of the word each covers (the same ids
    /// as <see cref="Encode"/>; not cached).
    /// </summary>
    public void EncodeWithSpans(ReadOnlySpan<char> word, List<ModelToken> output)
    {
        if (word.IsEmpty)
        {
            return;
        }

        if (word.Length <= MaxCachedWordLength && TryEncodeWithSpansFromCache(word, output))
        {
            return;
        }

        var scratch = t_scratch ??= new Scratch();
        int count = MergeSymbols(word, scratch);
        for (int i = 0; i < count; i++)
        {
            if (!scratch.Removed[i])
            {
                output.Add(new ModelToken(scratch.Id[i], scratch.Start[i], scratch.End[i]));
            }
        }
    }

    // The cached ids of a word, with byte ranges from the tokens' lengths: in the byte-level alphabet each character
    // of a token is one byte, and only the word's last token carries the end-of-word suffix. Fails (and the caller
    // merges again, tracking spans) when a token is unknown or not made of byte-level characters.
    private bool TryEncodeWithSpansFromCache(ReadOnlySpan<char> word, List<ModelToken> output)
    {
        var ids = new List<int>(8);
        Encode(word, ids);
        int before = output.Count;
        int position = 0;
        for (int i = 0; i < ids.Count; i++)
        {
            int length = _byteLevelLength[ids[i]];
            if (length < 0)
            {
                output.RemoveRange(before, output.Count - before);
                return false;
            }

            if (i == ids.Count - 1 && EndOfWordSuffix.Length > 0)
            {
                string token = IdToToken[ids[i]]!;
                length -= token.EndsWith(EndOfWordSuffix, StringComparison.Ordinal) ? EndOfWordSuffix.Length : 0;
            }

            output.Add(new ModelToken(ids[i], position, position + length));
            position += length;
        }

        if (position != Encoding.UTF8.GetByteCount(word))
        {
            output.RemoveRange(before, output.Count - before);
            return false;
        }

        return true;
    }

    private int[] Merge(ReadOnlySpan<char> word)
    {
        var scratch = t_scratch ??= new Scratch();
        int count = MergeSymbols(word, scratch);
        int[] id = scratch.Id;
        bool[] removed = scratch.Removed;
        int remaining = 0;
        for (int i = 0; i < count; i++)
        {
            remaining += removed[i] ? 0 : 1;
        }

        var result = new int[remaining];
        int k = 0;
        for (int i = 0; i < count; i++)
        {
            if (!removed[i])
            {
                result[k++] = id[i];
            }
        }

        return result;
    }

    // Runs the merges; afterwards the symbols at positions [0, count) not Removed are the word's tokens, in order.
    private int MergeSymbols(ReadOnlySpan<char> word, Scratch scratch)
    {
        int byteCount = Encoding.UTF8.GetByteCount(word);
        scratch.Ensure(byteCount);
        Encoding.UTF8.GetBytes(word, scratch.Bytes);

        // One symbol per byte (Rust iterates the chars of the byte-level string: one char per byte).
        int[] id = scratch.Id;
        int[] prev = scratch.Prev;
        int[] next = scratch.Next;
        bool[] removed = scratch.Removed;
        int count = 0;
        for (int i = 0; i < byteCount; i++)
        {
            byte b = scratch.Bytes[i];
            int symbol = i == byteCount - 1 ? _finalByteIds[b] : _byteIds[b];
            if (symbol < 0)
            {
                // Missing from the vocabulary: an unknown symbol (fuse_unk is false: one per byte), or dropped.
                if (_unknownId < 0)
                {
                    continue;
                }

                symbol = _unknownId;
            }

            id[count] = symbol;
            scratch.Start[count] = i;
            scratch.End[count] = i + 1;
            prev[count] = count - 1;
            next[count] = count + 1;
            removed[count] = false;
            count++;
        }

        if (count == 0)
        {
            return 0;
        }

        next[count - 1] = -1;
        var queue = scratch.Queue;
        queue.Clear();
        for (int i = 0; i + 1 < count; i++)
        {
            if (_merges.TryGetValue(Key(id[i], id[i + 1]), out var merge))
            {
                queue.Enqueue(new QueuedMerge(i, merge.NewId), Priority(merge.Rank, i));
            }
        }

        while (queue.TryDequeue(out var top, out _))
        {
            int position = top.Position;
            if (removed[position] || next[position] < 0)
            {
                continue;
            }

            int right = next[position];
            // A stale entry: the pair at this position changed since it was queued.
            if (!_merges.TryGetValue(Key(id[position], id[right]), out var current) || current.NewId != top.NewId)
            {
                continue;
            }

            id[position] = top.NewId;
            scratch.End[position] = scratch.End[right];
            removed[right] = true;
            next[position] = next[right];
            if (next[right] >= 0)
            {
                prev[next[right]] = position;
            }

            if (prev[position] >= 0 && _merges.TryGetValue(Key(id[prev[position]], id[position]), out var withPrevious))
            {
                queue.Enqueue(new QueuedMerge(prev[position], withPrevious.NewId), Priority(withPrevious.Rank, prev[position]));
            }

            if (next[position] >= 0 && _merges.TryGetValue(Key(id[position], id[next[position]]), out var withNext))
            {
                queue.Enqueue(new QueuedMerge(position, withNext.NewId), Priority(withNext.Rank, position));
            }
        }

        return count;
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    // Rust orders merges by rank, then by position: lowest first.
    private static long Priority(int rank, int position) => ((long)rank << 32) | (uint)position;

    private readonly record struct MergeTarget(int Rank, int NewId);

    private readonly record struct QueuedMerge(int Position, int NewId);

    private sealed class Scratch
    {
        public byte[] Bytes = new byte[64];
        public int[] Id = new int[64];
        public int[] Prev = new int[64];
        public int[] Next = new int[64];
        public bool[] Removed = new bool[64];
        public int[] Start = new int[64];
        public int[] End = new int[64];
        public readonly PriorityQueue<QueuedMerge, long> Queue = new();

        public void Ensure(int length)
        {
            if (Bytes.Length >= length)
            {
                return;
            }

            int size = Math.Max(length, Bytes.Length * 2);
            Bytes = new byte[size];
            Id = new int[size];
            Prev = new int[size];
            Next = new int[size];
            Removed = new bool[size];
            Start = new int[size];
            End = new int[size];
        }
    }
}

/// <summary>A token of a model's segmentation of one word and the units of the word it covers, [Start, End).</summary>
/// <param name="Id">The token id.</param>
/// <param name="Start">Its first unit (UTF-8 byte for BPE, UTF-16 unit for Unigram).</param>
/// <param name="End">One past its last unit.</param>
internal readonly record struct ModelToken(int Id, int Start, int End);
