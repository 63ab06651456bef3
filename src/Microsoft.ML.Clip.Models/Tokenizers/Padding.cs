namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>How <see cref="ITextTokenizer.EncodeBatch"/> pads a batch (transformers' <c>padding=</c> argument).</summary>
public enum Padding
{
    /// <summary>No padding: rows keep their own lengths (<c>padding=False</c>).</summary>
    None,

    /// <summary>Pad every row to the longest row of the batch (<c>padding="longest"</c> / <c>True</c>).</summary>
    Longest,

    /// <summary>
    /// Pad every row to the maximum length (the <c>maxLength</c> argument, else the tokenizer's
    /// <see cref="ITextTokenizer.ModelMaxLength"/>) — <c>padding="max_length"</c>. Rows longer than it stay longer
    /// unless truncation is on, as in transformers.
    /// </summary>
    MaxLength,
}
