using Microsoft.ML.Clip.Tokenizers;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// Token ids and their attention mask for a batch of texts, <c>[batch, length]</c> row-major, as the tokenizer pads them
/// (<c>input_ids</c> and <c>attention_mask</c> in <c>transformers</c>).
/// </summary>
public sealed class TokenBatch
{
    /// <summary>Creates a batch from flat row-major arrays.</summary>
    /// <param name="inputIds">The ids, <c>batch·length</c> values.</param>
    /// <param name="attentionMask">1 for real tokens and 0 for padding, <c>batch·length</c> values; null means all ones.</param>
    /// <param name="batch">The number of texts.</param>
    /// <param name="length">The padded length.</param>
    public TokenBatch(long[] inputIds, long[]? attentionMask, int batch, int length)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (batch <= 0 || length <= 0)
        {
            throw new ArgumentException($"A token batch needs at least one text of at least one token; got [{batch}, {length}].");
        }

        if (inputIds.Length != (long)batch * length)
        {
            throw new ArgumentException($"input_ids has {inputIds.Length} values, but a [{batch}, {length}] batch needs {(long)batch * length}.", nameof(inputIds));
        }

        if (attentionMask is not null && attentionMask.Length != inputIds.Length)
        {
            throw new ArgumentException(
                $"attention_mask has {attentionMask.Length} values but input_ids has {inputIds.Length}; both must be [{batch}, {length}].", nameof(attentionMask));
        }

        InputIds = inputIds;
        AttentionMask = attentionMask ?? Enumerable.Repeat(1L, inputIds.Length).ToArray();
        Batch = batch;
        Length = length;
    }

    /// <summary>Creates a batch from 2-D arrays <c>[batch, length]</c>.</summary>
    /// <param name="inputIds">The ids.</param>
    /// <param name="attentionMask">The mask (1 = token, 0 = padding), or null for all ones.</param>
    public TokenBatch(long[,] inputIds, long[,]? attentionMask = null)
        : this(Flatten(inputIds), attentionMask is null ? null : Flatten(CheckSameShape(inputIds, attentionMask)), inputIds.GetLength(0), inputIds.GetLength(1))
    {
    }

    /// <summary>Wraps a tokenizer's padded output (<see cref="TextTokenizer.EncodeBatch"/> with <see cref="Padding.Longest"/> or <see cref="Padding.MaxLength"/>).</summary>
    /// <param name="batch">The tokenized texts; all rows must have the same length.</param>
    /// <exception cref="InvalidOperationException">The rows have different lengths (the batch was not padded).</exception>
    public static TokenBatch From(TokenizedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return new TokenBatch(batch.FlattenInputIds(), batch.FlattenAttentionMask(), batch.Count, batch.MaxSequenceLength);
    }

    /// <summary>The ids, <c>[batch, length]</c> row-major.</summary>
    public long[] InputIds { get; }

    /// <summary>The attention mask, <c>[batch, length]</c> row-major: 1 for real tokens, 0 for padding.</summary>
    public long[] AttentionMask { get; }

    /// <summary>The number of texts.</summary>
    public int Batch { get; }

    /// <summary>The padded length.</summary>
    public int Length { get; }

    /// <summary>The ids of text <paramref name="row"/>.</summary>
    /// <param name="row">The text index.</param>
    public ReadOnlySpan<long> Ids(int row) => InputIds.AsSpan(row * Length, Length);

    /// <summary>The mask of text <paramref name="row"/>.</summary>
    /// <param name="row">The text index.</param>
    public ReadOnlySpan<long> Mask(int row) => AttentionMask.AsSpan(row * Length, Length);

    /// <summary>The mask as floats (1 = attend, 0 = padding), <c>[batch, length]</c>, the form the attention kernel takes.</summary>
    public float[] MaskAsFloat()
    {
        var mask = new float[AttentionMask.Length];
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = AttentionMask[i] == 0 ? 0f : 1f;
        }

        return mask;
    }

    private static long[,] CheckSameShape(long[,] ids, long[,] mask)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.GetLength(0) != mask.GetLength(0) || ids.GetLength(1) != mask.GetLength(1))
        {
            throw new ArgumentException(
                $"attention_mask is [{mask.GetLength(0)}, {mask.GetLength(1)}] but input_ids is [{ids.GetLength(0)}, {ids.GetLength(1)}]; they must match.", nameof(mask));
        }

        return mask;
    }

    private static long[] Flatten(long[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var flat = new long[values.Length];
        int i = 0;
        foreach (long v in values)
        {
            flat[i++] = v;
        }

        return flat;
    }
}
