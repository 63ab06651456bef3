using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// The engine of <c>clip tokenize</c>: reads texts (one per line, or with <c>jsonLines</c> one JSON object
/// <c>{"text": …}</c> per line so texts may hold newlines) and writes one <c>{"ids":[…],"attention_mask":[…]}</c>
/// line per input, in order — the easy way to compare with Python on any amount of text.
/// </summary>
public static class TokenizerJsonLines
{
    private const int ChunkSize = 1024;

    /// <summary>Tokenises every input line and writes the results.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="input">UTF-8 text lines (or JSON lines).</param>
    /// <param name="output">Where the JSON lines go.</param>
    /// <param name="jsonLines">Whether each input line is a JSON object with a <c>text</c> string.</param>
    /// <param name="maxLength">When given, truncation is on and this is the maximum length (and the padding length for <see cref="Padding.MaxLength"/>).</param>
    /// <param name="padding">
    /// The padding; <see cref="Padding.Longest"/> pads to the longest text of the whole input, so the input is read
    /// completely before anything is written.
    /// </param>
    /// <returns>The number of texts written.</returns>
    /// <exception cref="InvalidDataException">With <paramref name="jsonLines"/>, a line is not a JSON object with a string <c>text</c> (the message gives the line number).</exception>
    public static int Run(ITextTokenizer tokenizer, TextReader input, TextWriter output, bool jsonLines = false, int? maxLength = null,
        Padding padding = Padding.None)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var texts = new List<string>();
        int lineNumber = 0;
        int written = 0;
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            lineNumber++;
            if (jsonLines && string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            texts.Add(jsonLines ? ReadText(line, lineNumber) : line);
            if (padding != Padding.Longest && texts.Count == ChunkSize)
            {
                written += Write(tokenizer, texts, output, maxLength, padding);
                texts.Clear();
            }
        }

        written += Write(tokenizer, texts, output, maxLength, padding);
        output.Flush();
        return written;
    }

    private static int Write(ITextTokenizer tokenizer, List<string> texts, TextWriter output, int? maxLength, Padding padding)
    {
        if (texts.Count == 0)
        {
            return 0;
        }

        var batch = tokenizer.EncodeBatch(texts, maxLength, padding, truncation: maxLength is not null);
        var builder = new StringBuilder();
        for (int i = 0; i < batch.Count; i++)
        {
            builder.Clear();
            builder.Append("{\"ids\":[").AppendJoin(',', batch.InputIds[i]).Append("],\"attention_mask\":[")
                .AppendJoin(',', batch.AttentionMask[i]).Append("]}");
            output.WriteLine(builder.ToString());
        }

        return batch.Count;
    }

    private static string ReadText(string line, int lineNumber)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                return text.GetString()!;
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Input line {lineNumber}: not valid JSON ({e.Message}); expected {{\"text\": \"...\"}}.", e);
        }

        throw new InvalidDataException($"Input line {lineNumber}: expected a JSON object with a string \"text\", found {TokenizerFiles.Shorten(line)}.");
    }
}
