using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>Readers for the plain tokenizer files (<c>vocab.json</c>, <c>merges.txt</c>) with errors that name the file.</summary>
internal static class TokenizerFiles
{
    /// <summary>The merges transformers' <c>CLIPTokenizer</c> reads: lines <c>[1 : 49152 - 256 - 2 + 1]</c> of the stripped file.</summary>
    public const int ClipMaxMerges = 49152 - 256 - 2;

    /// <summary>Opens a file for reading, turning "not found" into an error that says what the file is for.</summary>
    public static FileStream OpenRead(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The {what} file '{path}' does not exist.", path);
        }

        return File.OpenRead(path);
    }

    /// <summary>Reads <c>vocab.json</c>: one JSON object of token → non-negative integer id.</summary>
    public static Dictionary<string, int> ReadVocabularyJson(string path)
    {
        using var stream = OpenRead(path, "vocabulary (vocab.json)");
        try
        {
            using var document = JsonDocument.Parse(stream);
            return ReadVocabularyObject(document.RootElement, path);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}). Expected an object of token → id, as in vocab.json.", e);
        }
    }

    /// <summary>Reads a JSON object of token → id (vocab.json, or tokenizer.json's <c>model.vocab</c>).</summary>
    public static Dictionary<string, int> ReadVocabularyObject(JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{source}: the vocabulary must be a JSON object of token → id, found {element.ValueKind}.");
        }

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out int id) || id < 0)
            {
                throw new InvalidDataException($"{source}: the id of token \"{property.Name}\" must be a non-negative integer, found {property.Value}.");
            }

            vocabulary[property.Name] = id;
        }

        if (vocabulary.Count == 0)
        {
            throw new InvalidDataException($"{source}: the vocabulary is empty.");
        }

        return vocabulary;
    }

    /// <summary>
    /// Reads <c>merges.txt</c> as transformers' CLIPTokenizer does: strip the file, drop the first line (the
    /// <c>#version</c> header), keep at most <paramref name="maxMerges"/> lines, each two tokens separated by white space.
    /// </summary>
    public static List<(string Left, string Right)> ReadMerges(string path, int maxMerges)
    {
        string content;
        using (var stream = OpenRead(path, "BPE merges (merges.txt)"))
        using (var reader = new StreamReader(stream, new UTF8Encoding(false, true)))
        {
            try
            {
                content = reader.ReadToEnd();
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidDataException($"{path}: not valid UTF-8 text ({e.Message}).", e);
            }
        }

        return ParseMerges(content, maxMerges, path);
    }

    /// <summary>Parses the text of a merges file (see <see cref="ReadMerges"/>).</summary>
    public static List<(string Left, string Right)> ParseMerges(string content, int maxMerges, string source)
    {
        string[] lines = content.Trim().Split('\n');
        var merges = new List<(string, string)>(Math.Min(lines.Length, maxMerges));
        for (int i = 1; i < lines.Length && merges.Count < maxMerges; i++)
        {
            string[] parts = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                throw new InvalidDataException(
                    $"{source}: line {i + 1} should hold two tokens separated by a space (a BPE merge), found \"{Shorten(lines[i])}\".");
            }

            merges.Add((parts[0], parts[1]));
        }

        if (merges.Count == 0)
        {
            throw new InvalidDataException($"{source}: no merges found (expected a '#version' line followed by 'a b' lines).");
        }

        return merges;
    }

    /// <summary>A short, printable excerpt of a line for error messages.</summary>
    public static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
