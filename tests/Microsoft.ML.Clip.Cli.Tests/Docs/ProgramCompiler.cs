using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Microsoft.ML.Clip.Cli.Tests.Docs;

/// <summary>
/// Compiles a code block the way a user pastes it into a new console project (<c>dotnet new console</c>: top-level
/// statements, implicit usings, nullable on) referencing the built library and ML.NET.
/// </summary>
internal static class ProgramCompiler
{
    /// <summary>The implicit usings of an SDK console project.</summary>
    private const string ImplicitUsings =
        "global using System;\nglobal using System.Collections.Generic;\nglobal using System.IO;\nglobal using System.Linq;\n"
        + "global using System.Net.Http;\nglobal using System.Threading;\nglobal using System.Threading.Tasks;\n";

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        IEnumerable<string> library = Directory.GetFiles(AppContext.BaseDirectory, "Microsoft.ML*.dll")
            .Where(p => !Path.GetFileName(p).Contains(".Tests", StringComparison.Ordinal))
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "System.Numerics.Tensors.dll"));
        return platform.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Concat(library)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    });

    /// <summary>Compiles the block and returns its errors (empty when it compiles). A block of declarations only is fine.</summary>
    /// <param name="code">The C# code.</param>
    public static IReadOnlyList<Diagnostic> CompileErrors(string code)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "ReadmeBlock",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, options), CSharpSyntaxTree.ParseText(code, options)],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS5001") // CS5001: no entry point (a block of declarations)
            .ToArray();
    }
}
