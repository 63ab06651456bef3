using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Notebooks.Tests;

/// <summary>
/// A NuGet folder feed with this repository's library packages, packed once per test run from the solution's build
/// (<c>dotnet pack --no-build</c> of every library project under src/) with a version of its own
/// (<c>1.0.0-notebooks.&lt;UTC time&gt;.&lt;random&gt;</c>), so the NuGet cache can never serve an earlier build's bits.
/// A notebook uses it as notebooks/README.md tells a user to use a local build: an <c>#i "nuget: &lt;absolute
/// folder&gt;"</c> line above the first cell's <c>#r</c> lines, and the build's version on the
/// <c>#r "nuget: Microsoft.ML.Clip…"</c> lines (which name no version, so users get the newest published package) —
/// this exact version where the README suggests <c>*-*</c>, so nothing but this run's packages can match.
/// </summary>
internal sealed partial class LocalFeed
{
    private static readonly Lazy<LocalFeed> Packed = new(Pack, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The NuGet caches (global packages folders) the kernel restored this feed's packages into.</summary>
    private readonly ConcurrentDictionary<string, bool> _caches = new(StringComparer.Ordinal);

    private LocalFeed(string folder, string version, IReadOnlyList<string> packageIds, TimeSpan packTime)
    {
        Folder = folder;
        Version = version;
        PackageIds = packageIds;
        PackTime = packTime;
    }

    /// <summary>The feed of this test run (packed on first use).</summary>
    public static LocalFeed Current => Packed.Value;

    /// <summary>The feed's absolute folder.</summary>
    public string Folder { get; }

    /// <summary>The version every package in the feed has.</summary>
    public string Version { get; }

    /// <summary>The package ids in the feed (Microsoft.ML.Clip, Microsoft.ML.Clip.Models, …).</summary>
    public IReadOnlyList<string> PackageIds { get; }

    /// <summary>How long <c>dotnet pack</c> took.</summary>
    public TimeSpan PackTime { get; }

    /// <summary>
    /// A notebook cell as it reads with this feed as the package source: the first code cell starts with
    /// <c>#i "nuget: &lt;folder&gt;"</c>; every <c>#r "nuget: Microsoft.ML.Clip…"</c> gets this feed's version.
    /// </summary>
    /// <param name="code">The cell's source.</param>
    /// <param name="firstCodeCell">Whether this is the notebook's first code cell.</param>
    /// <param name="where">The notebook and cell, for the error message.</param>
    public string UseIn(string code, bool firstCodeCell, string where) => WithFeed(code, firstCodeCell, Folder, Version, where);

    /// <summary><see cref="UseIn"/> for any feed folder and version.</summary>
    /// <param name="code">The cell's source.</param>
    /// <param name="firstCodeCell">Whether this is the notebook's first code cell.</param>
    /// <param name="folder">The feed's absolute folder.</param>
    /// <param name="version">The version of the repository's packages in the feed.</param>
    /// <param name="where">The notebook and cell, for the error message.</param>
    public static string WithFeed(string code, bool firstCodeCell, string folder, string version, string where)
    {
        string pinned = RepositoryPackageReference().Replace(code, m =>
        {
            if (m.Groups["version"].Success)
            {
                Assert.Fail($"{where}: '{m.Value.Trim()}' names a version; the notebooks reference Microsoft.ML.Clip* without one so users get the newest published package.");
            }

            return $"#r \"nuget: {m.Groups["id"].Value}, {version}\"";
        });
        return firstCodeCell ? $"#i \"nuget: {folder}\"\n{pinned}" : pinned;
    }

    /// <summary>
    /// Asserts that the kernel restored this repository's packages from this feed (this run's version) and that every
    /// loaded assembly of those packages comes from such a package (never from a build folder).
    /// </summary>
    /// <param name="notebook">The notebook, for the message.</param>
    /// <param name="packages">The packages the kernel reported as added.</param>
    public void AssertRestoredFromFeed(string notebook, IReadOnlyList<ResolvedPackageReference> packages)
    {
        var ours = packages.Where(p => PackageIds.Contains(p.PackageName, StringComparer.OrdinalIgnoreCase)).ToList();
        Assert.IsTrue(ours.Count > 0, $"{notebook}: the kernel restored none of {string.Join(", ", PackageIds)}; it restored {string.Join(", ", packages.Select(p => $"{p.PackageName} {p.PackageVersion}"))}");
        foreach (ResolvedPackageReference package in ours)
        {
            Assert.AreEqual(Version, package.PackageVersion, $"{notebook}: {package.PackageName} was restored in another version than the freshly packed one");

            // The NuGet cache lays packages out as <cache>/<lower-case id>/<version>/.
            string cache = Path.GetDirectoryName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(package.PackageRoot))))!;
            _caches.TryAdd(cache, true);
        }

        foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies().Where(a => PackageIds.Contains(a.GetName().Name, StringComparer.OrdinalIgnoreCase)))
        {
            string name = assembly.GetName().Name!;
            Assert.IsTrue(_caches.Keys.Any(cache => assembly.Location.StartsWith(PackageFolder(cache, name) + Path.DirectorySeparatorChar, StringComparison.Ordinal)),
                $"{notebook}: {name} was loaded from '{assembly.Location}', not from its package of version {Version}");
        }
    }

    /// <summary>Deletes the feed and this run's packages from the NuGet cache (their version is used by no other run).</summary>
    public static void Cleanup()
    {
        if (!Packed.IsValueCreated)
        {
            return;
        }

        LocalFeed feed = Packed.Value;
        foreach (string folder in feed._caches.Keys.SelectMany(cache => feed.PackageIds.Select(id => feed.PackageFolder(cache, id))).Append(feed.Folder))
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private string PackageFolder(string cache, string id) => Path.Combine(cache, id.ToLowerInvariant(), Version);

    private static LocalFeed Pack()
    {
        string root = Path.GetFullPath(Path.Combine(TestFixtures.Directory, "..", ".."));
        string[] projects = Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(IsLibrary)
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToArray();
        Assert.IsTrue(projects.Length > 0, $"no library projects under {Path.Combine(root, "src")}");

        string version = $"1.0.0-notebooks.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid().ToString("N")[..8]}";
        string folder = Path.Combine(Path.GetTempPath(), $"clip-notebook-feed-{version}");
        Directory.CreateDirectory(folder);

        // One `dotnet pack` of a solution filter with the library projects (one MSBuild process for all of them).
        string filter = Path.Combine(folder, "libraries.slnf");
        File.WriteAllText(filter, System.Text.Json.JsonSerializer.Serialize(new
        {
            solution = new
            {
                path = Path.Combine(root, "Microsoft.ML.Clip.sln"),
                projects = projects.Select(p => Path.GetRelativePath(root, p)).ToArray(),
            },
        }));
        string scratch = Path.Combine(folder, "pack");
        long start = Stopwatch.GetTimestamp();
        Run("dotnet", root,
            "pack", filter, "--no-build", "--disable-build-servers", "-c", BuildProperty("Configuration"), "-o", folder,
            $"-p:PackageVersion={version}", $"-p:MicrosoftMLVersion={BuildProperty("MicrosoftMLVersion")}", "-p:IncludeSymbols=false",
            $"-p:NuspecOutputPath={scratch}{Path.DirectorySeparatorChar}");
        TimeSpan packTime = Stopwatch.GetElapsedTime(start);
        File.Delete(filter);
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        var ids = projects.Select(p => Path.GetFileNameWithoutExtension(p)).ToArray();
        foreach (string id in ids)
        {
            Assert.IsTrue(File.Exists(Path.Combine(folder, $"{id}.{version}.nupkg")),
                $"dotnet pack did not produce {id}.{version}.nupkg in {folder} (found: {string.Join(", ", Directory.GetFiles(folder).Select(Path.GetFileName))})");
        }

        return new LocalFeed(folder, version, ids, packTime);
    }

    /// <summary>A project under src/ whose package is a library (not the `clip` .NET tool, not marked unpackable).</summary>
    private static bool IsLibrary(string project)
    {
        string text = File.ReadAllText(project);
        return !text.Contains("<PackAsTool>true</PackAsTool>", StringComparison.OrdinalIgnoreCase)
            && !text.Contains("<IsPackable>false</IsPackable>", StringComparison.OrdinalIgnoreCase);
    }

    private static string BuildProperty(string name) =>
        typeof(LocalFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == name)?.Value
        ?? throw new InvalidOperationException($"the test assembly has no AssemblyMetadata '{name}' (set in its .csproj)");

    private static void Run(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{program} {string.Join(' ', arguments)}' exited with {process.ExitCode} (the notebook tests pack the solution's build: "
                + $"run 'dotnet build Microsoft.ML.Clip.sln -c {BuildProperty("Configuration")}' first):\n{output.Result}\n{error.Result}");
        }
    }

    /// <summary><c>#r "nuget: Microsoft.ML.Clip…"</c> (with an optional version), one per line.</summary>
    [GeneratedRegex("""^[ \t]*#r[ \t]+"nuget:[ \t]*(?<id>Microsoft\.ML\.Clip(\.[A-Za-z0-9]+)*)[ \t]*(,[ \t]*(?<version>[^"]*))?"[ \t]*(?=\r?$)""", RegexOptions.Multiline)]
    private static partial Regex RepositoryPackageReference();
}
