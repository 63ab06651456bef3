namespace Microsoft.ML.Clip.Cli.Output;

/// <summary>
/// A set of embeddings keyed by input (a canonical file path or a line of text) together with what made them
/// (<see cref="EmbeddingProvenance"/>): what <c>clip embed</c> writes (atomically, so an interrupted run can resume)
/// and <c>clip search</c> reads. Each format reads and writes rows of (input, provenance, vector) in its own class
/// (<see cref="Formats.CsvEmbeddings"/>, <see cref="Formats.JsonLinesEmbeddings"/>,
/// <see cref="Formats.SafeTensorsEmbeddings"/>); this class checks that every row was made alike.
/// </summary>
internal sealed class EmbeddingFile
{
    private readonly List<string> _inputs = new();
    private readonly List<float[]> _vectors = new();
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    /// <summary>Creates an empty set.</summary>
    /// <param name="provenance">What makes (or made) the embeddings.</param>
    public EmbeddingFile(EmbeddingProvenance provenance) => Provenance = provenance;

    /// <summary>What made the embeddings.</summary>
    public EmbeddingProvenance Provenance { get; }

    /// <summary>The model id or canonical folder that produced the embeddings.</summary>
    public string Model => Provenance.Model;

    /// <summary>The embedding size, or 0 while empty.</summary>
    public int Dimension => _vectors.Count == 0 ? 0 : _vectors[0].Length;

    /// <summary>The number of embeddings.</summary>
    public int Count => _inputs.Count;

    /// <summary>The inputs, in order.</summary>
    public IReadOnlyList<string> Inputs => _inputs;

    /// <summary>The embeddings, in the order of <see cref="Inputs"/>.</summary>
    public IReadOnlyList<float[]> Vectors => _vectors;

    /// <summary>True when <paramref name="input"/> already has an embedding.</summary>
    /// <param name="input">A file path or text.</param>
    public bool Contains(string input) => _known.Contains(input);

    /// <summary>The rows holding a NaN or infinite value (<c>clip embed</c> never writes them; other tools might).</summary>
    public IEnumerable<int> NonFiniteRows() => Enumerable.Range(0, Count).Where(i => !_vectors[i].All(float.IsFinite));

    /// <summary>Adds an embedding.</summary>
    /// <param name="input">The input it belongs to (unique).</param>
    /// <param name="vector">The embedding.</param>
    public void Add(string input, float[] vector)
    {
        if (Dimension != 0 && vector.Length != Dimension)
        {
            throw new InvalidDataException($"The embedding of '{input}' has {vector.Length} values, but the others have {Dimension}.");
        }

        if (!_known.Add(input))
        {
            throw new InvalidOperationException($"'{input}' is already embedded.");
        }

        _inputs.Add(input);
        _vectors.Add(vector);
    }

    /// <summary>Reads an embeddings file written by <see cref="Save"/> (format from the extension).</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an embeddings file, or its rows were made by different models or settings.</exception>
    public static EmbeddingFile Load(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidDataException($"'{path}' is a folder; pass the embeddings file written by 'clip embed … --out FILE'.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The embeddings file '{path}' does not exist; create it with 'clip embed … --out {path}'.", path);
        }

        EmbeddingFormat format = EmbeddingFormats.FromPath(path);
        IEnumerable<EmbeddingRow> rows = format switch
        {
            EmbeddingFormat.Csv => Formats.CsvEmbeddings.Read(path),
            EmbeddingFormat.JsonLines => Formats.JsonLinesEmbeddings.Read(path),
            _ => Formats.SafeTensorsEmbeddings.Read(path),
        };

        EmbeddingFile? file = null;
        foreach (EmbeddingRow row in rows)
        {
            file ??= new EmbeddingFile(row.Provenance);
            if (row.Provenance != file.Provenance)
            {
                throw new InvalidDataException(
                    $"'{path}' mixes embeddings made differently: {row.Where} differs from the first row in "
                    + $"{file.Provenance.Difference(row.Provenance) ?? "its model name"}; split the file, or embed into a new one.");
            }

            file.Add(row.Input, row.Vector);
        }

        return file ?? throw new InvalidDataException($"'{path}' holds no embeddings.");
    }

    /// <summary>Writes the file atomically (format from the extension).</summary>
    /// <param name="path">The destination.</param>
    public void Save(string path)
    {
        switch (EmbeddingFormats.FromPath(path))
        {
            case EmbeddingFormat.Csv:
                Formats.CsvEmbeddings.Write(path, this);
                break;
            case EmbeddingFormat.JsonLines:
                Formats.JsonLinesEmbeddings.Write(path, this);
                break;
            default:
                Formats.SafeTensorsEmbeddings.Write(path, this);
                break;
        }
    }
}

/// <summary>One row of an embeddings file as a format reads it.</summary>
/// <param name="Input">The input (canonical path or text).</param>
/// <param name="Provenance">What made it.</param>
/// <param name="Vector">The embedding (NaN where a file held null).</param>
/// <param name="Where">The row's place, for errors (e.g. <c>row 3</c>).</param>
internal sealed record EmbeddingRow(string Input, EmbeddingProvenance Provenance, float[] Vector, string Where);
