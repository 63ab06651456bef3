using Microsoft.ML.Clip.IO;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Clip.Checkpoints;

namespace Microsoft.ML.Clip.Cli.Output;

/// <summary>
/// A set of embeddings keyed by input (a file path or a line of text) together with the model that produced them:
/// what <c>clip embed</c> writes (atomically, so an interrupted run can resume) and <c>clip search</c> reads.
/// </summary>
internal sealed class EmbeddingFile
{
    private readonly List<string> _inputs = new();
    private readonly List<float[]> _vectors = new();
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    /// <summary>Creates an empty set.</summary>
    /// <param name="model">The model id or folder that produced the embeddings.</param>
    public EmbeddingFile(string model) => Model = model;

    /// <summary>The model id or folder that produced the embeddings.</summary>
    public string Model { get; }

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
    /// <exception cref="InvalidDataException">The file is not an embeddings file; the message says what was found.</exception>
    public static EmbeddingFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The embeddings file '{path}' does not exist; create it with 'clip embed … --out {path}'.", path);
        }

        return EmbeddingFormats.FromPath(path) switch
        {
            EmbeddingFormat.Csv => LoadCsv(path),
            EmbeddingFormat.JsonLines => LoadJsonLines(path),
            _ => LoadSafeTensors(path),
        };
    }

    /// <summary>Writes the file atomically (format from the extension).</summary>
    /// <param name="path">The destination.</param>
    public void Save(string path)
    {
        switch (EmbeddingFormats.FromPath(path))
        {
            case EmbeddingFormat.Csv:
                AtomicFile.Write(path, WriteCsv);
                break;
            case EmbeddingFormat.JsonLines:
                AtomicFile.Write(path, WriteJsonLines);
                break;
            default:
                SafeTensors().Save(path);
                break;
        }
    }

    private void WriteCsv(Stream stream)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        writer.Write("input,model");
        for (int i = 0; i < Dimension; i++)
        {
            writer.Write(",e" + i.ToString(CultureInfo.InvariantCulture));
        }

        writer.WriteLine();
        string model = Csv.Escape(Model);
        for (int row = 0; row < Count; row++)
        {
            writer.Write(Csv.Escape(_inputs[row]));
            writer.Write(',');
            writer.Write(model);
            foreach (float v in _vectors[row])
            {
                writer.Write(',');
                writer.Write(v.ToString("R", CultureInfo.InvariantCulture));
            }

            writer.WriteLine();
        }
    }

    private void WriteJsonLines(Stream stream)
    {
        var newline = new byte[] { (byte)'\n' };
        for (int row = 0; row < Count; row++)
        {
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteString("input", _inputs[row]);
                json.WriteString("model", Model);
                json.WriteStartArray("embedding");
                foreach (float v in _vectors[row])
                {
                    json.WriteNumberValue(v);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            stream.Write(newline);
        }
    }

    private SafeTensorsWriter SafeTensors()
    {
        var values = new float[Count * Dimension];
        for (int row = 0; row < Count; row++)
        {
            _vectors[row].CopyTo(values, row * Dimension);
        }

        return new SafeTensorsWriter()
            .Add("embeddings", values, [Count, Dimension])
            .SetMetadata("format", "clip-embeddings")
            .SetMetadata("model", Model)
            .SetMetadata("inputs", JsonSerializer.Serialize(_inputs));
    }

    private static EmbeddingFile LoadCsv(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        EmbeddingFile? file = null;
        int dimension = -1;
        int row = 0;
        foreach (List<string> record in Csv.ReadRecords(reader, path))
        {
            row++;
            if (dimension < 0)
            {
                if (record.Count < 3 || record[0] != "input" || record[1] != "model")
                {
                    throw new InvalidDataException($"'{path}' is not an embeddings CSV: its header should start with 'input,model,e0', found '{string.Join(',', record.Take(3))}'.");
                }

                dimension = record.Count - 2;
                continue;
            }

            if (record.Count == 1 && record[0].Length == 0)
            {
                continue;
            }

            if (record.Count != dimension + 2)
            {
                throw new InvalidDataException($"'{path}' record {row}: {record.Count} fields, expected {dimension + 2} (input, model and {dimension} values). Is the file truncated?");
            }

            file ??= new EmbeddingFile(record[1]);
            var vector = new float[dimension];
            for (int i = 0; i < dimension; i++)
            {
                if (!float.TryParse(record[i + 2], NumberStyles.Float, CultureInfo.InvariantCulture, out vector[i]))
                {
                    throw new InvalidDataException($"'{path}' record {row}: value e{i} = '{record[i + 2]}' is not a number.");
                }
            }

            file.Add(record[0], vector);
        }

        return file ?? throw new InvalidDataException($"'{path}' holds no embeddings.");
    }

    private static EmbeddingFile LoadJsonLines(string path)
    {
        EmbeddingFile? file = null;
        int line = 0;
        foreach (string text in File.ReadLines(path, Encoding.UTF8))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                using JsonDocument doc = JsonDocument.Parse(text);
                JsonElement root = doc.RootElement;
                string input = root.GetProperty("input").GetString() ?? throw new InvalidDataException("'input' is null");
                string model = root.TryGetProperty("model", out JsonElement m) ? m.GetString() ?? string.Empty : string.Empty;
                float[] vector = root.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
                file ??= new EmbeddingFile(model);
                file.Add(input, vector);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"'{path}' line {line} is not an embedding record {{\"input\": …, \"model\": …, \"embedding\": [...]}}: {e.Message}", e);
            }
        }

        return file ?? throw new InvalidDataException($"'{path}' holds no embeddings.");
    }

    private static EmbeddingFile LoadSafeTensors(string path)
    {
        using SafeTensorsFile store = SafeTensorsFile.Open(path);
        TensorInfo info = store.GetInfo("embeddings")
            ?? throw new InvalidDataException($"'{path}' has no tensor named 'embeddings'; was it written by 'clip embed'?");
        if (info.Shape.Length != 2)
        {
            throw new InvalidDataException($"'{path}': 'embeddings' has shape [{string.Join(", ", info.Shape)}], expected [inputs, dim].");
        }

        string? model = store.Metadata.GetValueOrDefault("model");
        string? inputsJson = store.Metadata.GetValueOrDefault("inputs");
        string[] inputs = inputsJson is null ? [] : JsonSerializer.Deserialize<string[]>(inputsJson) ?? [];
        if (inputs.Length != info.Shape[0])
        {
            throw new InvalidDataException($"'{path}': the metadata lists {inputs.Length} inputs but 'embeddings' has {info.Shape[0]} rows.");
        }

        float[] values = store.LoadFloat32("embeddings").ToArray();
        var file = new EmbeddingFile(model ?? string.Empty);
        int dim = info.Shape[1];
        for (int row = 0; row < inputs.Length; row++)
        {
            file.Add(inputs[row], values.AsSpan(row * dim, dim).ToArray());
        }

        return file;
    }
}
