using System.Text;

namespace Microsoft.ML.Clip.Cli.Output.Formats;

/// <summary>Minimal RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled.</summary>
internal static class Csv
{
    /// <summary>Quotes a field when needed.</summary>
    /// <param name="field">The raw text.</param>
    public static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Reads every record of a CSV text (quoted fields may span lines).</summary>
    /// <param name="reader">The text.</param>
    /// <param name="source">The file name, for errors.</param>
    public static IEnumerable<List<string>> ReadRecords(TextReader reader, string source)
    {
        var record = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, fieldStarted = false, any = false;
        int line = 1;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            any = true;
            char ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    line += ch == '\n' ? 1 : 0;
                    field.Append(ch);
                }

                continue;
            }

            switch (ch)
            {
                case '"' when !fieldStarted:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    record.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    record.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    yield return record;
                    record = new List<string>();
                    any = false;
                    line++;
                    break;
                default:
                    field.Append(ch);
                    fieldStarted = true;
                    break;
            }
        }

        if (quoted)
        {
            throw new InvalidDataException($"'{source}': a quoted field starting before line {line} is never closed; is the file truncated?");
        }

        if (any)
        {
            record.Add(field.ToString());
            yield return record;
        }
    }
}
