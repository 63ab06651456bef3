using System.Text.Json;

namespace Microsoft.ML.Clip.Cli.Tests.Notebooks;

/// <summary>One code cell of a notebook.</summary>
/// <param name="Index">The cell's position among all cells (0-based).</param>
/// <param name="Language">The cell's kernel language (<c>csharp</c> unless the cell says otherwise).</param>
/// <param name="Source">The code.</param>
internal sealed record NotebookCell(int Index, string Language, string Source);

/// <summary>A Jupyter notebook (<c>.ipynb</c>, nbformat 4) as Polyglot / .NET Interactive writes it.</summary>
internal sealed class Notebook
{
    private Notebook(string path, string kernel, IReadOnlyList<NotebookCell> codeCells, int markdownCells)
    {
        Path = path;
        Kernel = kernel;
        CodeCells = codeCells;
        MarkdownCells = markdownCells;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The kernelspec name (<c>.net-csharp</c>).</summary>
    public string Kernel { get; }

    /// <summary>The code cells, in order.</summary>
    public IReadOnlyList<NotebookCell> CodeCells { get; }

    /// <summary>The number of Markdown cells.</summary>
    public int MarkdownCells { get; }

    /// <summary>Reads a notebook.</summary>
    /// <param name="path">The .ipynb file.</param>
    public static Notebook Load(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement root = doc.RootElement;
        string kernel = root.GetProperty("metadata").GetProperty("kernelspec").GetProperty("name").GetString() ?? string.Empty;
        var cells = new List<NotebookCell>();
        int markdown = 0;
        int index = 0;
        foreach (JsonElement cell in root.GetProperty("cells").EnumerateArray())
        {
            string type = cell.GetProperty("cell_type").GetString() ?? string.Empty;
            string source = cell.GetProperty("source") is { ValueKind: JsonValueKind.Array } lines
                ? string.Concat(lines.EnumerateArray().Select(l => l.GetString()))
                : cell.GetProperty("source").GetString() ?? string.Empty;
            if (type == "code")
            {
                cells.Add(new NotebookCell(index, LanguageOf(cell), source));
            }
            else if (type == "markdown")
            {
                markdown++;
            }

            index++;
        }

        return new Notebook(path, kernel, cells, markdown);
    }

    private static string LanguageOf(JsonElement cell)
    {
        if (cell.TryGetProperty("metadata", out JsonElement meta))
        {
            if (meta.TryGetProperty("polyglot_notebook", out JsonElement polyglot) && polyglot.TryGetProperty("kernelName", out JsonElement kernelName))
            {
                return kernelName.GetString() ?? "csharp";
            }

            if (meta.TryGetProperty("dotnet_interactive", out JsonElement interactive) && interactive.TryGetProperty("language", out JsonElement language))
            {
                return language.GetString() ?? "csharp";
            }
        }

        return "csharp";
    }
}
