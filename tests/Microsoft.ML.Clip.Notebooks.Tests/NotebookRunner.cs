using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;
using DocumentKernelInfo = Microsoft.DotNet.Interactive.Documents.KernelInfo;

namespace Microsoft.ML.Clip.Notebooks.Tests;

/// <summary>What a notebook run produced.</summary>
/// <param name="Outputs">Every value the cells showed (<c>display(...)</c> and a cell's trailing expression), in order.</param>
/// <param name="Packages">The NuGet packages the kernel restored for <c>#r "nuget: …"</c> (with their dependencies).</param>
/// <param name="CellTimes">How long each code cell took, in order (the first includes the package restore).</param>
internal sealed record NotebookRun(IReadOnlyList<object?> Outputs, IReadOnlyList<ResolvedPackageReference> Packages, IReadOnlyList<TimeSpan> CellTimes);

/// <summary>
/// Loads a <c>.ipynb</c> with <c>Microsoft.DotNet.Interactive.Documents</c> and runs its code cells in order through the
/// .NET Interactive C# kernel, set up as the <c>dotnet-interactive</c> tool behind Polyglot Notebooks and Jupyter sets
/// it up (<c>#r "nuget: …"</c> and <c>#i</c>, <c>display(...)</c>, <c>#!who</c>, value sharing). A cell that fails
/// to compile, reports an error diagnostic or throws fails the test, naming the notebook and the cell.
/// </summary>
internal static class NotebookRunner
{
    /// <summary>The kernels a C# notebook's cells may name (Polyglot writes "csharp"; older files "C#").</summary>
    private static KernelInfoCollection KernelInfos()
    {
        var infos = new KernelInfoCollection { new DocumentKernelInfo("csharp", languageName: "C#", aliases: ["c#", "C#", "cs"]) };
        infos.DefaultKernelName = "csharp";
        return infos;
    }

    /// <summary>Reads a notebook.</summary>
    /// <param name="path">The .ipynb file.</param>
    public static InteractiveDocument Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Notebook.Read(stream, KernelInfos());
    }

    /// <summary>The code cells, each with its index among all cells.</summary>
    /// <param name="document">The notebook.</param>
    public static IReadOnlyList<(int Index, InteractiveDocumentElement Cell)> CodeCells(InteractiveDocument document) =>
        document.Elements.Select((cell, index) => (index, cell)).Where(c => !IsText(c.cell)).ToList();

    /// <summary>The Markdown (and raw) cells.</summary>
    /// <param name="document">The notebook.</param>
    public static int TextCells(InteractiveDocument document) => document.Elements.Count(IsText);

    /// <summary>Runs every code cell in order in a new kernel.</summary>
    /// <param name="name">The notebook's name, for messages.</param>
    /// <param name="document">The notebook.</param>
    /// <param name="prepare">Rewrites a cell before it runs: (source, is the first code cell, "notebook cell N") → source.</param>
    public static async Task<NotebookRun> RunAsync(string name, InteractiveDocument document, Func<string, bool, string, string>? prepare = null)
    {
        var outputs = new List<object?>();
        var packages = new List<ResolvedPackageReference>();
        var times = new List<TimeSpan>();
        using CompositeKernel kernel = CreateKernel();
        bool first = true;
        foreach (var (index, cell) in CodeCells(document))
        {
            string where = $"{name} cell {index}";
            Assert.AreEqual("csharp", cell.KernelName, $"{where}: only C# cells are expected");
            string code = prepare?.Invoke(cell.Contents, first, where) ?? cell.Contents;
            first = false;

            long start = Stopwatch.GetTimestamp();
            KernelCommandResult result = await kernel.SendAsync(new SubmitCode(code, cell.KernelName));
            times.Add(Stopwatch.GetElapsedTime(start));
            var errors = new List<string>();
            foreach (KernelEvent e in result.Events)
            {
                switch (e)
                {
                    case DisplayedValueProduced { Value: not InstallPackagesMessage } displayed:
                        outputs.Add(displayed.Value);
                        break;
                    case ReturnValueProduced returned:
                        outputs.Add(returned.Value);
                        break;
                    case PackageAdded added:
                        packages.Add(added.PackageReference);
                        break;
                    case DiagnosticsProduced diagnostics:
                        errors.AddRange(diagnostics.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Select(d => $"{d.Code} {d.LinePositionSpan}: {d.Message}"));
                        break;
                    case CommandFailed failed:
                        errors.Add(failed.Exception is null ? failed.Message : $"{failed.Message}\n{failed.Exception}");
                        break;
                }
            }

            if (errors.Count > 0)
            {
                Assert.Fail($"{where} failed in the C# kernel:\n{string.Join("\n", errors.Distinct())}\n--- the cell as run:\n{code}");
            }
        }

        return new NotebookRun(outputs, packages, times);
    }

    /// <summary>A kernel like the C# kernel of the <c>dotnet-interactive</c> tool.</summary>
    private static CompositeKernel CreateKernel()
    {
        CSharpKernel csharp = new CSharpKernel()
            .UseNugetDirective((k, references) =>
            {
                k.AddAssemblyReferences(references.SelectMany(r => r.AssemblyPaths));
                return Task.CompletedTask;
            })
            .UseKernelHelpers()
            .UseWho()
            .UseValueSharing();
        var kernel = new CompositeKernel { csharp }.UseImportMagicCommand();
        kernel.DefaultKernelName = csharp.Name;
        return kernel;
    }

    private static bool IsText(InteractiveDocumentElement cell) => cell.KernelName is "markdown" or "md" or "raw";
}
