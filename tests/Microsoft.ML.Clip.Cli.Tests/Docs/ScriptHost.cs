using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace Microsoft.ML.Clip.Cli.Tests.Docs;

/// <summary>
/// Compiles and runs C# the way a user's notebook or README snippet would see the library: the built
/// <c>Microsoft.ML.Clip*</c> assemblies (and ML.NET, or its stand-in) stand in for <c>#r "nuget: …"</c> references.
/// </summary>
internal static partial class ScriptHost
{
    /// <summary>Namespaces every script starts with (what .NET Interactive imports by default, plus System.IO).</summary>
    private static readonly string[] DefaultImports =
        ["System", "System.IO", "System.Linq", "System.Collections.Generic", "System.Threading.Tasks", "System.Text"];

    /// <summary>Packages a notebook may reference: the ones this repository builds, and ML.NET.</summary>
    private static readonly string[] KnownPackagePrefixes = ["Microsoft.ML.Clip", "Microsoft.ML"];

    /// <summary>Script options referencing the built library, ML.NET (or the stand-in) and the test's globals.</summary>
    public static ScriptOptions Options { get; } = CreateOptions();

    /// <summary>
    /// Removes the lines a .NET Interactive cell has but a C# script cannot compile: <c>#r "nuget: …"</c> for packages
    /// this repository builds (already referenced) and <c>#!</c> magic commands. Any other <c>#r "nuget:"</c> fails.
    /// </summary>
    /// <param name="code">The cell's source.</param>
    /// <param name="where">The notebook and cell, for the error message.</param>
    public static string MapDirectives(string code, string where)
    {
        var lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.StartsWith("#!", StringComparison.Ordinal))
            {
                lines[i] = string.Empty;
                continue;
            }

            Match nuget = NugetReference().Match(line);
            if (nuget.Success)
            {
                string package = nuget.Groups["id"].Value.Trim();
                if (!KnownPackagePrefixes.Any(p => package.Equals(p, StringComparison.OrdinalIgnoreCase) || package.StartsWith(p + ".", StringComparison.OrdinalIgnoreCase)))
                {
                    throw new InvalidOperationException($"{where}: '#r \"nuget: {package}\"' is not a package this repository builds or maps; notebooks may only use Microsoft.ML.Clip* and Microsoft.ML.");
                }

                lines[i] = string.Empty;
            }
        }

        return string.Join('\n', lines);
    }

    private static ScriptOptions CreateOptions()
    {
        string folder = AppContext.BaseDirectory;
        var assemblies = Directory.GetFiles(folder, "Microsoft.ML*.dll")
            .Where(p => !Path.GetFileName(p).Contains(".Tests", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p))
            .ToList();
        assemblies.Add(MetadataReference.CreateFromFile(typeof(ScriptHost).Assembly.Location));
        return ScriptOptions.Default
            .WithReferences(ScriptOptions.Default.MetadataReferences.Concat(assemblies))
            .AddReferences(typeof(Enumerable).Assembly, typeof(System.Text.Json.JsonSerializer).Assembly, typeof(System.Collections.Concurrent.ConcurrentDictionary<,>).Assembly)
            .WithImports(DefaultImports)
            .WithEmitDebugInformation(false)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest)
            .WithFilePath(Path.Combine(folder, "script.csx"));
    }

    [GeneratedRegex("""^#r\s+"nuget:\s*(?<id>[^,"]+)(,[^"]*)?"\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex NugetReference();
}
