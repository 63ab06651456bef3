using System.Text.Json;
using Microsoft.ML.Clip.Checkpoints;

namespace Microsoft.ML.Clip.Cli.Output.Formats;

/// <summary>
/// Embeddings as safetensors: a float32 tensor <c>embeddings</c> <c>[inputs, dim]</c>; the inputs (a JSON list) and
/// the provenance fields in <c>__metadata__</c> (<c>format</c> = <c>clip-embeddings</c>).
/// </summary>
internal static class SafeTensorsEmbeddings
{
    /// <summary>Writes the file atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="file">The embeddings.</param>
    public static void Write(string path, EmbeddingFile file)
    {
        var values = new float[file.Count * file.Dimension];
        for (int row = 0; row < file.Count; row++)
        {
            file.Vectors[row].CopyTo(values, row * file.Dimension);
        }

        SafeTensorsWriter writer = new SafeTensorsWriter()
            .Add("embeddings", values, [file.Count, file.Dimension])
            .SetMetadata("format", "clip-embeddings")
            .SetMetadata("inputs", JsonSerializer.Serialize(file.Inputs));
        foreach ((string name, string? value) in file.Provenance.Fields())
        {
            if (value is not null)
            {
                writer.SetMetadata(name, value);
            }
        }

        writer.Save(path);
    }

    /// <summary>Reads the rows.</summary>
    /// <param name="path">The file.</param>
    public static IEnumerable<EmbeddingRow> Read(string path)
    {
        using SafeTensorsFile store = SafeTensorsFile.Open(path);
        TensorInfo info = store.GetInfo("embeddings")
            ?? throw new InvalidDataException($"'{path}' has no tensor named 'embeddings'; was it written by 'clip embed'?");
        if (info.Shape.Length != 2)
        {
            throw new InvalidDataException($"'{path}': 'embeddings' has shape [{string.Join(", ", info.Shape)}], expected [inputs, dim].");
        }

        if (info.DataType is not (TensorDataType.Float32 or TensorDataType.Float16 or TensorDataType.BFloat16 or TensorDataType.Float64))
        {
            throw new InvalidDataException(
                $"'{path}': 'embeddings' holds {info.DataType} values, but embeddings are floating point (clip embed writes float32); convert the tensor to float32.");
        }

        string? inputsJson = store.Metadata.GetValueOrDefault("inputs");
        string[] inputs = inputsJson is null ? [] : JsonSerializer.Deserialize<string[]>(inputsJson) ?? [];
        if (inputs.Length != info.Shape[0])
        {
            throw new InvalidDataException($"'{path}': the metadata lists {inputs.Length} inputs but 'embeddings' has {info.Shape[0]} rows.");
        }

        EmbeddingProvenance provenance = EmbeddingProvenance.FromFields(store.Metadata.GetValueOrDefault, $"'{path}'");
        float[] values = store.LoadFloat32("embeddings").ToArray();
        int dim = info.Shape[1];
        var rows = new List<EmbeddingRow>(inputs.Length);
        for (int row = 0; row < inputs.Length; row++)
        {
            rows.Add(new EmbeddingRow(inputs[row], provenance, values.AsSpan(row * dim, dim).ToArray(), $"row {row + 1}"));
        }

        return rows;
    }
}
