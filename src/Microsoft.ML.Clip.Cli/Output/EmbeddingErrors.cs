using System.Text;
using System.Text.Json;
using Microsoft.ML.Clip.IO;

namespace Microsoft.ML.Clip.Cli.Output;

/// <summary>
/// The inputs <c>clip embed --skip-errors</c> could not embed, with why: the side file
/// <c>&lt;output&gt;.errors.jsonl</c>, one <c>{"input": …, "error": …}</c> per line, written atomically beside the
/// output under the output's lock. A resumed run skips these inputs unless <c>--retry-errors</c>; the file is
/// removed when no error is left.
/// </summary>
internal sealed class EmbeddingErrors
{
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);
    private readonly List<string> _order = new();

    private EmbeddingErrors(string path) => Path = path;

    /// <summary>The side file.</summary>
    public string Path { get; }

    /// <summary>The number of inputs recorded.</summary>
    public int Count => _order.Count;

    /// <summary>The side file of an output.</summary>
    /// <param name="output">The embeddings file.</param>
    public static string PathOf(string output) => output + ".errors.jsonl";

    /// <summary>Reads the side file of <paramref name="output"/> (empty when there is none).</summary>
    /// <param name="output">The embeddings file.</param>
    public static EmbeddingErrors Load(string output)
    {
        var errors = new EmbeddingErrors(PathOf(output));
        if (!File.Exists(errors.Path))
        {
            return errors;
        }

        int line = 0;
        foreach (string text in File.ReadLines(errors.Path, Encoding.UTF8))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                using JsonDocument doc = JsonDocument.Parse(text);
                errors.Set(doc.RootElement.GetProperty("input").GetString()!, doc.RootElement.GetProperty("error").GetString() ?? string.Empty);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or NullReferenceException)
            {
                throw new InvalidDataException($"'{errors.Path}' line {line} is not {{\"input\": …, \"error\": …}}: {e.Message}; delete the file to retry every input.", e);
            }
        }

        return errors;
    }

    /// <summary>True when <paramref name="input"/> is recorded as failed.</summary>
    /// <param name="input">The input.</param>
    public bool Contains(string input) => _errors.ContainsKey(input);

    /// <summary>Records (or replaces) the error of an input.</summary>
    /// <param name="input">The input.</param>
    /// <param name="error">Why it could not be embedded.</param>
    public void Set(string input, string error)
    {
        if (!_errors.ContainsKey(input))
        {
            _order.Add(input);
        }

        _errors[input] = error;
    }

    /// <summary>Forgets an input (it is retried, or was embedded).</summary>
    /// <param name="input">The input.</param>
    public void Remove(string input)
    {
        if (_errors.Remove(input))
        {
            _order.Remove(input);
        }
    }

    /// <summary>Writes the side file atomically, or removes it when no error is recorded.</summary>
    public void Save()
    {
        if (Count == 0)
        {
            File.Delete(Path);
            return;
        }

        var text = new StringBuilder();
        foreach (string input in _order)
        {
            text.Append(JsonSerializer.Serialize(new Dictionary<string, string> { ["input"] = input, ["error"] = _errors[input] }, JsonOptions)).Append('\n');
        }

        AtomicFile.WriteAllText(Path, text.ToString());
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
