using System.Globalization;
using System.Text;
using Microsoft.ML.Clip.IO;

namespace Microsoft.ML.Clip.Cli.Output.Formats;

/// <summary>
/// Embeddings as CSV: a header <c>input,model,fingerprint,kind,frames,sampling,template,e0,e1,…</c>, then one row per
/// input (RFC 4180 quoting). The provenance columns repeat on every row, so rows pasted from another file are seen.
/// Files written before provenance was recorded (<c>input,model,e0,…</c>) are read too. Non-finite values are
/// written as <c>NaN</c>/<c>Infinity</c> (never by <c>clip embed</c>, which refuses them) and read back as such.
/// </summary>
internal static class CsvEmbeddings
{
    /// <summary>Writes the rows atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="file">The embeddings.</param>
    public static void Write(string path, EmbeddingFile file) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        writer.Write("input");
        foreach (string name in EmbeddingProvenance.FieldNames)
        {
            writer.Write("," + name);
        }

        for (int i = 0; i < file.Dimension; i++)
        {
            writer.Write(",e" + i.ToString(CultureInfo.InvariantCulture));
        }

        writer.WriteLine();
        string provenance = string.Concat(file.Provenance.Fields().Select(f => "," + Csv.Escape(f.Value ?? string.Empty)));
        for (int row = 0; row < file.Count; row++)
        {
            writer.Write(Csv.Escape(file.Inputs[row]));
            writer.Write(provenance);
            foreach (float v in file.Vectors[row])
            {
                writer.Write(',');
                writer.Write(v.ToString("R", CultureInfo.InvariantCulture));
            }

            writer.WriteLine();
        }
    });

    /// <summary>Reads the rows.</summary>
    /// <param name="path">The file.</param>
    public static IEnumerable<EmbeddingRow> Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        string[]? header = null;
        int firstValue = -1, dimension = -1, record = 1; // records count from the header, as a CSV reader shows them
        foreach (List<string> fields in Csv.ReadRecords(reader, path))
        {
            if (header is null)
            {
                header = fields.ToArray();
                firstValue = Array.IndexOf(header, "e0");
                if (header.Length < 2 || header[0] != "input" || firstValue < 1)
                {
                    throw new InvalidDataException($"'{path}' is not an embeddings CSV: its header should be 'input,model,…,e0,e1,…', found '{string.Join(',', header.Take(4))}…'.");
                }

                dimension = header.Length - firstValue;
                continue;
            }

            record++;
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (fields.Count != header.Length)
            {
                throw new InvalidDataException($"'{path}' record {record}: {fields.Count} fields, expected {header.Length} (input, {firstValue - 1} provenance fields and {dimension} values). Is the file truncated?");
            }

            string where = $"'{path}' record {record} ('{fields[0]}')";
            EmbeddingProvenance provenance = EmbeddingProvenance.FromFields(
                name => Array.IndexOf(header, name, 0, firstValue) is int i and >= 0 ? fields[i] : null, where);
            var vector = new float[dimension];
            for (int i = 0; i < dimension; i++)
            {
                if (!float.TryParse(fields[firstValue + i], NumberStyles.Float, CultureInfo.InvariantCulture, out vector[i]))
                {
                    throw new InvalidDataException($"{where}: value e{i} = '{fields[firstValue + i]}' is not a number.");
                }
            }

            yield return new EmbeddingRow(fields[0], provenance, vector, $"record {record} ('{fields[0]}')");
        }

        if (header is null)
        {
            throw new InvalidDataException($"'{path}' is empty; it is not an embeddings CSV.");
        }
    }
}
