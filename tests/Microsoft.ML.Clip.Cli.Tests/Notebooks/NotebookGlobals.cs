namespace Microsoft.ML.Clip.Cli.Tests.Notebooks;

/// <summary>
/// What a .NET Interactive C# kernel gives a notebook cell that a plain C# script lacks: <c>display(...)</c>.
/// Public so the compiled cells can bind to it.
/// </summary>
public sealed class NotebookGlobals
{
    /// <summary>Everything the cells displayed, in order.</summary>
    public List<object?> Displayed { get; } = new();

    /// <summary>Shows a value below the cell (here: records it and renders it as text).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The value (.NET Interactive returns a handle to update the display; cells here do not use it).</returns>
#pragma warning disable IDE1006 // .NET Interactive spells it display().
    public object? display(object? value)
#pragma warning restore IDE1006
    {
        Displayed.Add(value);
        return value;
    }
}
