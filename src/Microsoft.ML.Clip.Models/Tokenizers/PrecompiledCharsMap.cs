using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// SentencePiece's <c>precompiled_charsmap</c> normaliser (e.g. <c>nmt_nfkc</c>), applied exactly as the Rust
/// <c>tokenizers</c> <c>Precompiled</c> normaliser (crate <c>spm_precompiled</c>) does.
/// </summary>
/// <remarks>
/// The blob is <c>[u32 trie size in bytes][trie: u32 units, a darts-clone double array over UTF-8 bytes][strings,
/// each ending in NUL]</c>. Normalising walks extended grapheme clusters: a cluster shorter than 6 UTF-8 bytes is
/// looked up whole, and if any prefix of it is a key the cluster is replaced by the value of the <em>shortest</em>
/// matching prefix; otherwise each character is looked up on its own and replaced when it (or a prefix of its
/// bytes) is a key, else kept.
/// </remarks>
internal sealed class PrecompiledCharsMap
{
    private readonly uint[] _trie;
    private readonly byte[] _normalized;
    private readonly ConcurrentDictionary<int, string> _byValueOffset = new();

    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>Parses the blob; <paramref name="source"/> names the file in errors.</summary>
    public PrecompiledCharsMap(byte[] blob, string source)
    {
        if (blob.Length < 4)
        {
            throw new InvalidDataException($"{source}: precompiled_charsmap is {blob.Length} bytes, too short to hold its trie size.");
        }

        uint trieBytes = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieBytes > (uint)(blob.Length - 4) || trieBytes < 4)
        {
            throw new InvalidDataException(
                $"{source}: precompiled_charsmap says its trie is {trieBytes} bytes, but the blob holds {blob.Length - 4} after the size.");
        }

        int units = (int)(trieBytes / 4);
        _trie = new uint[units];
        for (int i = 0; i < units; i++)
        {
            _trie[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(4 + i * 4));
        }

        _normalized = blob.AsSpan(4 + units * 4).ToArray();
        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(_normalized);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{source}: the replacement strings of precompiled_charsmap are not valid UTF-8.", e);
        }
    }

    /// <summary>Normalises a text holding no lone surrogates.</summary>
    public string Normalize(string text)
    {
        var builder = t_builder ??= new StringBuilder(256);
        builder.Clear();
        var sink = new StringSink(text, builder);
        if (!Walk(text, ref sink))
        {
            return text;
        }

        string result = builder.ToString();
        if (builder.Capacity > 1 << 16)
        {
            t_builder = null;
        }

        return result;
    }

    /// <summary>
    /// <see cref="Normalize(string)"/> with alignment: a replaced cluster's output units all come from the whole
    /// cluster, a replaced character's from that character; kept characters keep their own spans.
    /// </summary>
    public AlignedText Normalize(AlignedText input)
    {
        var sink = new AlignedSink(input.Derive());
        return Walk(input.Text, ref sink) ? sink.Builder.ToAlignedText() : input;
    }

    // Walks the grapheme clusters, telling the sink what replaces or keeps each part of the text; returns whether
    // anything was replaced.
    private bool Walk<TSink>(string text, ref TSink sink)
        where TSink : struct, INormalizedSink
    {
        ReadOnlySpan<char> span = text;
        Span<byte> utf8 = stackalloc byte[16];
        bool changed = false;
        int position = 0;
        while (position < span.Length)
        {
            int clusterStart = position;
            int clusterLength = UnicodeText.GraphemeLength(span, position);
            ReadOnlySpan<char> cluster = span.Slice(position, clusterLength);
            position += clusterLength;

            // The whole cluster first when it is shorter than 6 UTF-8 bytes.
            if (cluster.Length <= 5 && Encoding.UTF8.GetByteCount(cluster) < 6)
            {
                int byteCount = Encoding.UTF8.GetBytes(cluster, utf8);
                string? replacement = Transform(utf8[..byteCount]);
                if (replacement is not null)
                {
                    sink.Replace(replacement, clusterStart, position);
                    changed = true;
                    continue;
                }
            }

            for (int i = 0; i < cluster.Length;)
            {
                UnicodeText.CodePointAt(cluster, i, out int width);
                int byteCount = Encoding.UTF8.GetBytes(cluster.Slice(i, width), utf8);
                string? replacement = Transform(utf8[..byteCount]);
                if (replacement is not null)
                {
                    sink.Replace(replacement, clusterStart + i, clusterStart + i + width);
                    changed = true;
                }
                else
                {
                    sink.Keep(clusterStart + i, clusterStart + i + width);
                }

                i += width;
            }
        }

        return changed;
    }

    /// <summary>The replacement of the shortest key that prefixes <paramref name="key"/>, or null when none does.</summary>
    private string? Transform(ReadOnlySpan<byte> key)
    {
        int offset = ShortestPrefixValue(key);
        if (offset < 0)
        {
            return null;
        }

        if (_byValueOffset.TryGetValue(offset, out string? cached))
        {
            return cached;
        }

        string value;
        if (offset >= _normalized.Length)
        {
            value = string.Empty;
        }
        else
        {
            int end = Array.IndexOf(_normalized, (byte)0, offset);
            value = Encoding.UTF8.GetString(_normalized, offset, (end < 0 ? _normalized.Length : end) - offset);
        }

        _byValueOffset.TryAdd(offset, value);

        return value;
    }

    // darts-clone common-prefix search, stopping at the first leaf (spm_precompiled takes results[0]).
    private int ShortestPrefixValue(ReadOnlySpan<byte> key)
    {
        uint[] trie = _trie;
        long node = Offset(trie[0]);
        foreach (byte c in key)
        {
            if (c == 0)
            {
                break;
            }

            node ^= c;
            if ((ulong)node >= (ulong)trie.Length)
            {
                return -1;
            }

            uint unit = trie[node];
            if ((unit & ((1u << 31) | 0xFF)) != c)
            {
                return -1;
            }

            node ^= Offset(unit);
            if (((unit >> 8) & 1) == 1)
            {
                if ((ulong)node >= (ulong)trie.Length)
                {
                    return -1;
                }

                return (int)(trie[node] & ((1u << 31) - 1));
            }
        }

        return -1;
    }

    private static long Offset(uint unit) => (long)(unit >> 10) << (int)((unit & (1u << 9)) >> 6);
}

/// <summary>Receives the output of <see cref="PrecompiledCharsMap"/>: replacements and kept ranges of the input text.</summary>
internal interface INormalizedSink
{
    /// <summary>Input units [from, to) become <paramref name="replacement"/>.</summary>
    void Replace(string replacement, int from, int to);

    /// <summary>Input units [from, to) stay as they are.</summary>
    void Keep(int from, int to);
}

/// <summary>Collects the normalised text.</summary>
internal readonly struct StringSink(string input, StringBuilder output) : INormalizedSink
{
    public void Replace(string replacement, int from, int to) => output.Append(replacement);

    public void Keep(int from, int to) => output.Append(input, from, to - from);
}

/// <summary>Collects the normalised text with its alignment.</summary>
internal readonly struct AlignedSink(AlignedText.Builder builder) : INormalizedSink
{
    public AlignedText.Builder Builder => builder;

    public void Replace(string replacement, int from, int to) => builder.Append(replacement, from, to);

    public void Keep(int from, int to) => builder.Copy(from, to);
}
