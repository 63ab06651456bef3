using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.ML.Clip.Cli.Tests.Docs;

namespace Microsoft.ML.Clip.Cli.Tests.Notebooks;

/// <summary>
/// Executes every C# code cell of a notebook in order, in one script state (later cells see earlier variables, as in
/// a kernel), with <c>#r "nuget: Microsoft.ML.Clip…"</c> mapped to the built assemblies and <c>display(...)</c> provided.
/// </summary>
internal static class NotebookRunner
{
    /// <summary>Runs the notebook; throws an assertion failure naming the cell that failed to compile or threw.</summary>
    /// <param name="notebook">The notebook.</param>
    /// <param name="stopBefore">Stops before the first cell this accepts (to run the part a build can run); null runs all.</param>
    /// <returns>The globals (what the cells displayed).</returns>
    public static async Task<NotebookGlobals> RunAsync(Notebook notebook, Func<NotebookCell, bool>? stopBefore = null)
    {
        var globals = new NotebookGlobals();
        ScriptState<object>? state = null;
        foreach (NotebookCell cell in notebook.CodeCells)
        {
            if (stopBefore?.Invoke(cell) == true)
            {
                break;
            }

            string where = $"{System.IO.Path.GetFileName(notebook.Path)} cell {cell.Index}";
            Assert.AreEqual("csharp", cell.Language, $"{where}: only C# cells are supported");
            string code = ScriptHost.MapDirectives(cell.Source, where);
            if (string.IsNullOrWhiteSpace(code))
            {
                continue;
            }

            try
            {
                state = state is null
                    ? await CSharpScript.RunAsync(code, ScriptHost.Options, globals, typeof(NotebookGlobals))
                    : await state.ContinueWithAsync(code, ScriptHost.Options);
            }
            catch (CompilationErrorException e)
            {
                Assert.Fail($"{where} does not compile:\n{string.Join("\n", e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))}\n---\n{cell.Source}");
            }
            catch (Exception e) when (e is not AssertFailedException)
            {
                Assert.Fail($"{where} threw {e}\n---\n{cell.Source}");
            }
        }

        return globals;
    }
}
