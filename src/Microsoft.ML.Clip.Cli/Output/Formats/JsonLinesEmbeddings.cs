using System.Text;
using System.Text.Json;
using Microsoft.ML.Clip.IO;

namespace Microsoft.ML.Clip.Cli.Output.Formats;

/// <summary>
/// Embeddings as JSON lines: one object per input,
/// <c>{"input": …, "model": …, "fingerprint": …, "kind": …, "frames": 8, "sampling": …, "embedding": [...]}</c>
/// (provenance fields without a value are left out). JSON has no NaN or Infinity: a non-finite value is written as
/// <c>null</c> (never by <c>clip embed</c>, which refuses them) and <c>null</c> is read back as NaN.
/// </summary>
internal static class JsonLinesEmbeddings
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the rows atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="file">The embeddings.</param>
    public static void Write(string path, EmbeddingFile file) => AtomicFile.Write(path, stream =>
    {
        var newline = new byte[] { (byte)'\n' };
        IReadOnlyList<(string Name, string? Value)> fields = file.Provenance.Fields();
        for (int row = 0; row < file.Count; row++)
        {
            using (var json = new Utf8JsonWriter(stream, WriterOptions))
            {
                json.WriteStartObject();
                json.WriteString("input", file.Inputs[row]);
                foreach ((string name, string? value) in fields)
                {
                    if (value is null)
                    {
                        continue;
                    }

                    if (name == "frames")
                    {
                        json.WriteNumber(name, file.Provenance.Frames!.Value);
                    }
                    else
                    {
                        json.WriteString(name, value);
                    }
                }

                json.WriteStartArray("embedding");
                foreach (float v in file.Vectors[row])
                {
                    if (float.IsFinite(v))
                    {
                        json.WriteNumberValue(v);
                    }
                    else
                    {
                        json.WriteNullValue();
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            stream.Write(newline);
        }
    });

    /// <summary>Reads the rows.</summary>
    /// <param name="path">The file.</param>
    public static IEnumerable<EmbeddingRow> Read(string path)
    {
        int line = 0;
        foreach (string text in File.ReadLines(path, Encoding.UTF8))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            EmbeddingRow row;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(text);
                JsonElement root = doc.RootElement;
                string input = root.GetProperty("input").GetString() ?? throw new InvalidDataException("'input' is null");
                string where = $"'{path}' line {line} ('{input}')";
                EmbeddingProvenance provenance = EmbeddingProvenance.FromFields(
                    name => root.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null
                        ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())
                        : null,
                    where);
                float[] vector = root.GetProperty("embedding").EnumerateArray()
                    .Select(e => e.ValueKind == JsonValueKind.Null ? float.NaN : (float)e.GetDouble())
                    .ToArray();
                row = new EmbeddingRow(input, provenance, vector, $"line {line} ('{input}')");
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"'{path}' line {line} is not an embedding record {{\"input\": …, \"model\": …, \"embedding\": [...]}}: {e.Message}", e);
            }

            yield return row;
        }
    }
}
