namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// The result of <see cref="ITextTokenizer.EncodeBatch"/>: <c>input_ids</c> and <c>attention_mask</c> row by row
/// (as transformers returns them as lists) and, when every row has the same length, as flat row-major
/// <c>[Count, SequenceLength]</c> arrays ready to become model inputs.
/// </summary>
public sealed class TokenizedBatch
{
    /// <summary>Creates a batch from rows of ids and masks of equal lengths row by row.</summary>
    /// <param name="inputIds">The ids of each row.</param>
    /// <param name="attentionMask">The mask of each row (1 real token, 0 padding), the same lengths as <paramref name="inputIds"/>.</param>
    public TokenizedBatch(long[][] inputIds, long[][] attentionMask)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (inputIds.Length != attentionMask.Length)
        {
            throw new ArgumentException(
                $"inputIds has {inputIds.Length} rows but attentionMask has {attentionMask.Length}; they must match.", nameof(attentionMask));
        }

        int longest = 0;
        bool rectangular = true;
        for (int i = 0; i < inputIds.Length; i++)
        {
            if (inputIds[i].Length != attentionMask[i].Length)
            {
                throw new ArgumentException(
                    $"Row {i}: {inputIds[i].Length} ids but {attentionMask[i].Length} mask values; they must match.", nameof(attentionMask));
            }

            if (i > 0 && inputIds[i].Length != inputIds[0].Length)
            {
                rectangular = false;
            }

            longest = Math.Max(longest, inputIds[i].Length);
        }

        InputIds = inputIds;
        AttentionMask = attentionMask;
        MaxSequenceLength = longest;
        IsRectangular = rectangular;
    }

    /// <summary>The token ids of each row (<c>input_ids</c>).</summary>
    public long[][] InputIds { get; }

    /// <summary>The attention mask of each row (<c>attention_mask</c>): 1 for real tokens, 0 for padding.</summary>
    public long[][] AttentionMask { get; }

    /// <summary>The number of rows (texts).</summary>
    public int Count => InputIds.Length;

    /// <summary>The length of the longest row; equal to every row's length when <see cref="IsRectangular"/>.</summary>
    public int MaxSequenceLength { get; }

    /// <summary>Whether every row has the same length (always true after padding, unless a row was longer than <c>max_length</c> without truncation).</summary>
    public bool IsRectangular { get; }

    /// <summary>The ids as one row-major <c>[Count, MaxSequenceLength]</c> array.</summary>
    /// <returns>A new array of <c>Count × MaxSequenceLength</c> ids.</returns>
    /// <exception cref="InvalidOperationException">The rows have different lengths (pad the batch).</exception>
    public long[] FlattenInputIds() => Flatten(InputIds, "input ids");

    /// <summary>The attention mask as one row-major <c>[Count, MaxSequenceLength]</c> array.</summary>
    /// <returns>A new array of <c>Count × MaxSequenceLength</c> mask values.</returns>
    /// <exception cref="InvalidOperationException">The rows have different lengths (pad the batch).</exception>
    public long[] FlattenAttentionMask() => Flatten(AttentionMask, "attention mask");

    private long[] Flatten(long[][] rows, string what)
    {
        if (!IsRectangular)
        {
            throw new InvalidOperationException(
                $"Cannot flatten the {what}: rows have different lengths (longest {MaxSequenceLength}). " +
                "Encode with Padding.Longest or Padding.MaxLength (and truncation) to get a rectangular batch.");
        }

        var flat = new long[rows.Length * MaxSequenceLength];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i].CopyTo(flat, i * MaxSequenceLength);
        }

        return flat;
    }
}
