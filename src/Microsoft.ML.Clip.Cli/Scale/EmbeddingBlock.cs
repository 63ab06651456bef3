namespace Microsoft.ML.Clip.Cli.Scale;

/// <summary>
/// The rows of one Parquet row group, column by column: the embeddings as one contiguous
/// [rows with an embedding, <see cref="Dimension"/>] matrix, so millions of rows never become millions of arrays.
/// </summary>
/// <param name="Paths">The <c>path</c> column.</param>
/// <param name="Matrix">The non-null embeddings, row-major: [rows with an embedding, dimension] (a few unused values may follow).</param>
/// <param name="EmbeddingOfRow">For each row, the index of its embedding in <paramref name="Matrix"/>, or −1 when null.</param>
/// <param name="Dimension">The embedding size.</param>
/// <param name="Models">The <c>model</c> column.</param>
/// <param name="Fingerprints">The <c>fingerprint</c> column.</param>
/// <param name="Kinds">The <c>kind</c> column.</param>
/// <param name="Frames">The <c>frames</c> column.</param>
/// <param name="Samplings">The <c>sampling</c> column.</param>
/// <param name="Templates">The <c>template</c> column.</param>
/// <param name="Errors">The <c>error</c> column.</param>
/// <param name="Precisions">The <c>precision</c> column, or null for a file written before it existed (float32).</param>
internal sealed record EmbeddingBlock(
    string[] Paths, float[] Matrix, int[] EmbeddingOfRow, int Dimension,
    string[] Models, string[] Fingerprints, string?[] Kinds, int?[] Frames, string?[] Samplings, string?[] Templates, string?[] Errors,
    string?[]? Precisions = null)
{
    /// <summary>The number of rows.</summary>
    public int Count => Paths.Length;

    /// <summary>Row <paramref name="i"/> as an <see cref="DatasetRow"/> (its embedding copied).</summary>
    /// <param name="i">The row.</param>
    public DatasetRow Row(int i)
    {
        int e = EmbeddingOfRow[i];
        float[]? embedding = e < 0 ? null : Matrix.AsSpan(e * Dimension, Dimension).ToArray();
        return new DatasetRow(Paths[i], embedding, Models[i], Fingerprints[i], Kinds[i], Frames[i], Samplings[i], Templates[i], Errors[i], Precisions?[i]);
    }
}
