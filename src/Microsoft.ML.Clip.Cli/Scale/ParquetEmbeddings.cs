using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Microsoft.ML.Clip.Cli.Scale;

/// <summary>
/// Reads and writes <see cref="DatasetRow"/>s as a Parquet file that Spark, DuckDB and pandas/pyarrow read as they
/// are: columns <c>path</c> (string), <c>embedding</c> (list of float: Parquet's standard three-level LIST, null when
/// the input failed), <c>model</c>, <c>fingerprint</c> (strings), <c>kind</c> (string: video, image or text),
/// <c>frames</c> (int32, null for images and texts), <c>sampling</c>, <c>template</c>, <c>error</c> and <c>precision</c>
/// (strings, nullable; <c>precision</c> is <c>float32</c> or <c>int8</c>, and absent from files written before it was recorded).
/// </summary>
/// <remarks>
/// Parquet has no fixed-size list type (Arrow's <c>FixedSizeList</c> is stored as a LIST too), so every non-null
/// embedding has exactly <see cref="DimensionKey"/> values, which the file's key-value metadata records; DuckDB turns
/// the column into a fixed-size array with <c>embedding::FLOAT[512]</c>.
/// </remarks>
internal static class ParquetEmbeddings
{
    /// <summary>Key-value metadata: the format and its version.</summary>
    public const string FormatKey = "clip.format";

    /// <summary>The value of <see cref="FormatKey"/>.</summary>
    public const string FormatValue = "clip-embeddings/1";

    /// <summary>Key-value metadata: the number of values of every non-null embedding.</summary>
    public const string DimensionKey = "clip.dimension";

    /// <summary>Rows per row group of a written file (about 8 MB of 512-value embeddings).</summary>
    public const int DefaultRowGroupSize = 4096;

    private static readonly DataField<string> PathField = new("path", nullable: false);
    private static readonly DataField<float> ElementField = new("element", nullable: false);
    private static readonly ListField EmbeddingField = new("embedding", ElementField);
    private static readonly DataField<string> ModelField = new("model", nullable: false);
    private static readonly DataField<string> FingerprintField = new("fingerprint", nullable: false);
    private static readonly DataField<string> KindField = new("kind", nullable: true);
    private static readonly DataField<int?> FramesField = new("frames", nullable: true);
    private static readonly DataField<string> SamplingField = new("sampling", nullable: true);
    private static readonly DataField<string> TemplateField = new("template", nullable: true);
    private static readonly DataField<string> ErrorField = new("error", nullable: true);
    private static readonly DataField<string> PrecisionField = new("precision", nullable: true);

    /// <summary>The schema of every file.</summary>
    public static ParquetSchema Schema { get; } = new(
        PathField, EmbeddingField, ModelField, FingerprintField, KindField, FramesField, SamplingField, TemplateField, ErrorField, PrecisionField);

    /// <summary>Writes <paramref name="rows"/> as one Parquet file to <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable, seekable stream (left open).</param>
    /// <param name="rows">The rows; every embedding has the same length.</param>
    /// <param name="metadata">Extra key-value metadata (the shard, …).</param>
    /// <param name="rowGroupSize">Rows per row group.</param>
    public static void Write(Stream stream, IReadOnlyList<DatasetRow> rows, IReadOnlyDictionary<string, string>? metadata = null, int rowGroupSize = DefaultRowGroupSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupSize, 1);
        int dimension = CheckDimension(rows);
        WriteAsync(stream, rows, dimension, metadata, rowGroupSize).GetAwaiter().GetResult();
    }

    /// <summary>Reads every row of a file written by <see cref="Write"/>.</summary>
    /// <param name="path">The Parquet file.</param>
    /// <exception cref="InvalidDataException">The file is not such a file; the message names it and says what differs.</exception>
    public static List<DatasetRow> Read(string path)
    {
        var rows = new List<DatasetRow>();
        ReadBlocks(path, block =>
        {
            for (int i = 0; i < block.Count; i++)
            {
                rows.Add(block.Row(i));
            }
        });
        return rows;
    }

    /// <summary>
    /// Reads a file row group by row group (the fast path for search: embeddings arrive as one contiguous matrix per
    /// row group, never as one array per row).
    /// </summary>
    /// <param name="path">The Parquet file.</param>
    /// <param name="onBlock">Called once per row group, in order.</param>
    /// <returns>The file's embedding size (0 when it holds no embedding).</returns>
    /// <exception cref="InvalidDataException">The file is not such a file; the message names it and says what differs.</exception>
    public static int ReadBlocks(string path, Action<EmbeddingBlock> onBlock)
    {
        try
        {
            return ReadBlocksAsync(path, onBlock).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException and not FileNotFoundException and not DirectoryNotFoundException
                                   || e is InvalidOperationException or NotSupportedException or ArgumentException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"'{path}' is not a readable Parquet embeddings file: {e.Message}", e);
        }
    }

    private static int CheckDimension(IReadOnlyList<DatasetRow> rows)
    {
        int dimension = 0;
        foreach (DatasetRow row in rows)
        {
            if (row.Embedding is null)
            {
                if (row.Error is null)
                {
                    throw new ArgumentException($"The row of '{row.Path}' has neither an embedding nor an error.", nameof(rows));
                }

                continue;
            }

            if (dimension == 0)
            {
                dimension = row.Embedding.Length;
            }

            if (row.Embedding.Length != dimension || dimension == 0)
            {
                throw new ArgumentException($"The embedding of '{row.Path}' has {row.Embedding.Length} values, the others {dimension}.", nameof(rows));
            }
        }

        return dimension;
    }

    private static async Task WriteAsync(Stream stream, IReadOnlyList<DatasetRow> rows, int dimension, IReadOnlyDictionary<string, string>? metadata, int rowGroupSize)
    {
        // Uncompressed: embeddings are float noise that Snappy does not shrink (a part is ≈ 5% larger without it, from the
        // paths), and Parquet.Net's Snappy decoding was half of `clip search`'s load time and a third of its peak memory.
        await using ParquetWriter writer = await ParquetWriter.CreateAsync(Schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.None });
        var custom = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatKey] = FormatValue,
            [DimensionKey] = dimension.ToString(CultureInfo.InvariantCulture),
        };
        foreach (KeyValuePair<string, string> pair in metadata ?? new Dictionary<string, string>())
        {
            custom[pair.Key] = pair.Value;
        }

        writer.CustomMetadata = custom;
        for (int start = 0; start < rows.Count || start == 0; start += rowGroupSize)
        {
            int count = Math.Min(rowGroupSize, rows.Count - start);
            var group = new DatasetRow[count];
            for (int i = 0; i < count; i++)
            {
                group[i] = rows[start + i];
            }

            using ParquetRowGroupWriter rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync(PathField, group.Select(r => r.Path).ToArray());
            await WriteEmbeddingsAsync(rowGroup, group, dimension);
            await rowGroup.WriteAsync(ModelField, group.Select(r => r.Model).ToArray());
            await rowGroup.WriteAsync(FingerprintField, group.Select(r => r.Fingerprint).ToArray());
            await rowGroup.WriteAsync(KindField, group.Select(r => r.Kind!).ToArray());
            await rowGroup.WriteAsync(FramesField, new ReadOnlyMemory<int?>(group.Select(r => r.Frames).ToArray()));
            await rowGroup.WriteAsync(SamplingField, group.Select(r => r.Sampling!).ToArray());
            await rowGroup.WriteAsync(TemplateField, group.Select(r => r.Template!).ToArray());
            await rowGroup.WriteAsync(ErrorField, group.Select(r => r.Error!).ToArray());
            await rowGroup.WriteAsync(PrecisionField, group.Select(r => r.Precision!).ToArray());
            rowGroup.CompleteValidate();
            if (rows.Count == 0)
            {
                break;
            }
        }
    }

    // The LIST column as Parquet stores it: one definition level and one repetition level per element slot.
    //   definition 0 = the list is null (a failed input), 2 = an element is present (the element is required, so a
    //   present list of length d contributes d slots of level 2; lists are never empty here);
    //   repetition 0 = the first slot of a row, 1 = a further element of the same list.
    // Only present elements are stored as values: [rowsWithEmbedding * dimension].
    private static async Task WriteEmbeddingsAsync(ParquetRowGroupWriter rowGroup, DatasetRow[] group, int dimension)
    {
        int present = group.Count(r => r.Embedding is not null);
        int slots = present * dimension + (group.Length - present);
        var values = new float[present * dimension];
        var definitions = new int[slots];
        var repetitions = new int[slots];
        int v = 0;
        int s = 0;
        foreach (DatasetRow row in group)
        {
            if (row.Embedding is null)
            {
                definitions[s] = 0;
                repetitions[s] = 0;
                s++;
                continue;
            }

            row.Embedding.CopyTo(values, v);
            v += dimension;
            for (int i = 0; i < dimension; i++, s++)
            {
                definitions[s] = ElementField.MaxDefinitionLevel;
                repetitions[s] = i == 0 ? 0 : 1;
            }
        }

        await rowGroup.WriteAllPartsAsync<float>(ElementField, values, definitions, repetitions, CancellationToken.None);
    }

    private static async Task<int> ReadBlocksAsync(string path, Action<EmbeddingBlock> onBlock)
    {
        await using ParquetReader reader = await ParquetReader.CreateAsync(path);
        DataField[] fields = reader.Schema.GetDataFields();
        string[] found = fields.Select(f => f.Path.ToString()).ToArray();
        DataField Field(string name) =>
            fields.FirstOrDefault(f => f.Name == name && (name != "element" || f.Path.ToString().StartsWith("embedding", StringComparison.Ordinal)))
            ?? throw new InvalidDataException($"'{path}' has no '{name}' column (found {string.Join(", ", found)}); was it written by 'clip embed --format parquet'?");

        DataField pathField = Field("path");
        DataField element = Field("element");
        DataField model = Field("model");
        DataField fingerprint = Field("fingerprint");
        DataField kind = Field("kind");
        DataField frames = Field("frames");
        DataField sampling = Field("sampling");
        DataField template = Field("template");
        DataField error = Field("error");
        DataField? precision = fields.FirstOrDefault(f => f.Name == "precision"); // absent before precision was recorded
        // The size recorded by clip, or (a file rewritten by another tool, e.g. DuckDB's COPY of merged parts) the length
        // of the first embedding; every embedding must have it.
        int dimension = reader.CustomMetadata.TryGetValue(DimensionKey, out string? d)
            && int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed)
            ? parsed
            : 0;

        int[] definitions = [];
        int[] repetitions = [];
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using ParquetRowGroupReader rowGroup = reader.OpenRowGroupReader(g);
            int count = checked((int)rowGroup.RowCount);
            string?[] paths = await ReadStrings(rowGroup, pathField, count);
            string?[] models = await ReadStrings(rowGroup, model, count);
            string?[] fingerprints = await ReadStrings(rowGroup, fingerprint, count);
            string?[] kinds = await ReadStrings(rowGroup, kind, count);
            string?[] samplings = await ReadStrings(rowGroup, sampling, count);
            string?[] templates = await ReadStrings(rowGroup, template, count);
            string?[] errors = await ReadStrings(rowGroup, error, count);
            string?[]? precisions = precision is null ? null : await ReadStrings(rowGroup, precision, count);
            var frameValues = new int?[count];
            await rowGroup.ReadAsync<int>(frames, frameValues);

            // One slot per element or null list (ColumnMetaData.NumValues counts slots, not present values).
            int slots = checked((int)(rowGroup.GetMetadata(element)?.MetaData?.NumValues
                ?? throw new InvalidDataException($"'{path}' row group {g}: the embedding column has no metadata.")));
            var values = new float[slots];
            if (definitions.Length < slots)
            {
                // The levels are scratch, reused across row groups; the values become the block's matrix.
                definitions = new int[slots];
                repetitions = new int[slots];
            }

            await rowGroup.ReadRawAsync<float>(element, values, definitions.AsMemory(0, slots), repetitions.AsMemory(0, slots), CancellationToken.None);
            if (dimension == 0)
            {
                dimension = FirstLength(definitions.AsSpan(0, slots), repetitions.AsSpan(0, slots), element.MaxDefinitionLevel);
            }

            (float[] matrix, int[] rowOfSlot) = Embeddings(path, g, values, definitions.AsSpan(0, slots), repetitions.AsSpan(0, slots), count, dimension, element.MaxDefinitionLevel);
            onBlock(new EmbeddingBlock(paths!, matrix, rowOfSlot, dimension, models!, fingerprints!, kinds, frameValues, samplings, templates, errors, precisions));
        }

        return dimension;
    }

    private static async Task<string?[]> ReadStrings(ParquetRowGroupReader rowGroup, DataField field, int count)
    {
        var values = new string?[count];
        await rowGroup.ReadAsync(field, values.AsMemory()!);
        return values;
    }

    // Rebuilds [rows with an embedding, dimension] from the LIST column's levels (see WriteEmbeddingsAsync), and for each
    // row the index of its embedding in that matrix (-1 when null). Lists of another length are refused.
    private static (float[] Matrix, int[] RowOfSlot) Embeddings(string path, int group, float[] values, ReadOnlySpan<int> definitions, ReadOnlySpan<int> repetitions, int count, int dimension, int maxDefinition)
    {
        var embeddingOfRow = new int[count];
        int row = -1;
        int present = 0;
        int length = 0;
        for (int s = 0; s < definitions.Length; s++)
        {
            if (repetitions[s] == 0)
            {
                CheckLength(path, group, row, length, dimension);
                row++;
                length = 0;
                embeddingOfRow[row] = definitions[s] == maxDefinition ? present++ : -1;
            }

            if (definitions[s] == maxDefinition)
            {
                length++;
            }
        }

        CheckLength(path, group, row, length, dimension);
        if (row + 1 != count)
        {
            throw new InvalidDataException($"'{path}' row group {group}: the embedding column holds {row + 1} rows, the others {count}.");
        }

        // The present values come first in the buffer (raw reading stores only present values); the few slots of null
        // lists at its end stay unused rather than copying the matrix to trim them.
        return (values, embeddingOfRow);
    }

    private static void CheckLength(string path, int group, int row, int length, int dimension)
    {
        if (row >= 0 && length != 0 && length != dimension)
        {
            throw new InvalidDataException($"'{path}' row group {group} row {row}: the embedding has {length} values, the file's others {dimension}.");
        }
    }

    // The number of present elements of the first list that has any (0 when none has).
    private static int FirstLength(ReadOnlySpan<int> definitions, ReadOnlySpan<int> repetitions, int maxDefinition)
    {
        int length = 0;
        for (int s = 0; s < definitions.Length; s++)
        {
            if (repetitions[s] == 0 && length > 0)
            {
                break;
            }

            if (definitions[s] == maxDefinition)
            {
                length++;
            }
        }

        return length;
    }
}
