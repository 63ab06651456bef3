using Microsoft.DotNet.Interactive.Documents;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;
using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Notebooks.Tests;

/// <summary>
/// Runs every code cell of every notebook in notebooks/, in order, in the real .NET Interactive C# kernel, on the tiny
/// fixture models, so a notebook can never silently rot. The kernel restores <c>#r "nuget: Microsoft.ML.Clip…"</c>
/// from this run's freshly packed feed (<see cref="LocalFeed"/>: the <c>#i</c> line notebooks/README.md tells users to
/// add, and this build's version) and everything else (Microsoft.ML) from the NuGet registry. The notebooks read their
/// model ids and sample folders from CLIP_NOTEBOOK_* environment variables (defaulting to Hub ids and the repository's
/// fixtures for real users); the tests point them at the complete tiny model folders. No other test of this process
/// reads those variables, and every notebook gets the same values, so the notebooks may run in parallel.
/// </summary>
[TestClass]
public sealed class NotebookTests
{
    private const string ZeroShot = "01-zero-shot-video-classification.ipynb";
    private const string Retrieval = "02-multilingual-image-text-retrieval.ipynb";
    private const string LinearProbe = "03-few-shot-linear-probe-mlnet.ipynb";
    private const string Parity = "04-parity-walkthrough.ipynb";

    /// <summary>Where each test reports how long its notebook took.</summary>
    public TestContext TestContext { get; set; } = null!;

    private static string NotebookFolder => Path.GetFullPath(Path.Combine(TestFixtures.Directory, "..", "..", "notebooks"));

    [ClassInitialize]
    public static void PointNotebooksAtTinyModels(TestContext context)
    {
        Environment.SetEnvironmentVariable("CLIP_NOTEBOOK_XCLIP_MODEL", TinyModels.XClip);
        Environment.SetEnvironmentVariable("CLIP_NOTEBOOK_ALTCLIP_MODEL", TinyModels.AltClip);
        Environment.SetEnvironmentVariable("CLIP_NOTEBOOK_MEDIA", TestFixtures.Path("processors"));
        Environment.SetEnvironmentVariable("CLIP_NOTEBOOK_FIXTURES", TestFixtures.Directory);
    }

    [TestMethod]
    public void EveryNotebookIsCoveredByATest()
    {
        string[] notebooks = Directory.GetFiles(NotebookFolder, "*.ipynb").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray()!;
        CollectionAssert.AreEqual(new[] { ZeroShot, Retrieval, LinearProbe, Parity }, notebooks, "a new notebook needs a test method here");
    }

    [TestMethod]
    public async Task ZeroShotVideoClassification()
    {
        NotebookRun run = await Run(ZeroShot);
        var ranking = ((System.Collections.IEnumerable)run.Outputs[^1]!).Cast<object>().ToList();
        Assert.AreEqual(4, ranking.Count, "one row per label");
        double total = ranking.Sum(r => (double)r.GetType().GetProperty("Probability")!.GetValue(r)!);
        Assert.AreEqual(1.0, total, 1e-5, "the probabilities sum to 1");
    }

    [TestMethod]
    public async Task MultilingualImageTextRetrieval()
    {
        NotebookRun run = await Run(Retrieval);
        var results = ((System.Collections.IEnumerable)run.Outputs[^1]!).Cast<object>().ToList();
        Assert.AreEqual(4, results.Count, "one row per query");
        Assert.IsTrue(results.All(r => Math.Abs((float)r.GetType().GetProperty("Cosine")!.GetValue(r)!) <= 1.0001f), "cosines of unit vectors");
    }

    [TestMethod]
    public async Task FewShotLinearProbeWithMLNet()
    {
        NotebookRun run = await Run(LinearProbe);
        CollectionAssert.Contains(run.Outputs.ToList(), "Features: Vector<Single, 24>", "the AltClipImageEmbedding column (projection 24 of altclip-tiny)");
        object metrics = run.Outputs[^1]!;
        double accuracy = (double)metrics.GetType().GetProperty("MicroAccuracy")!.GetValue(metrics)!;
        Assert.IsTrue(accuracy is >= 0 and <= 1, $"accuracy {accuracy}");
        Assert.IsTrue(run.Packages.Any(p => p.PackageName.Equals("Microsoft.ML", StringComparison.OrdinalIgnoreCase)), "ML.NET came from the Microsoft.ML package");
    }

    [TestMethod]
    public async Task ParityWalkthrough()
    {
        NotebookRun run = await Run(Parity);
        Assert.AreEqual("Every output is within tolerance.", run.Outputs[^1]);
    }

    private async Task<NotebookRun> Run(string name)
    {
        InteractiveDocument notebook = NotebookRunner.Load(Path.Combine(NotebookFolder, name));
        var kernelspec = notebook.Metadata.TryGetValue("kernelspec", out object? spec) ? spec as IDictionary<string, object> : null;
        Assert.AreEqual(".net-csharp", kernelspec?["name"]?.ToString(), $"{name}: a .NET Interactive C# notebook");
        var codeCells = NotebookRunner.CodeCells(notebook);
        Assert.IsTrue(codeCells.Count >= 3 && NotebookRunner.TextCells(notebook) >= 2, $"{name}: code with explanations");
        StringAssert.Contains(codeCells[0].Cell.Contents, "#r \"nuget: Microsoft.ML.Clip", $"{name}: references the package the way users will");

        LocalFeed feed = LocalFeed.Current;
        NotebookRun run = await NotebookRunner.RunAsync(name, notebook, feed.UseIn);
        feed.AssertRestoredFromFeed(name, run.Packages);
        TestContext.WriteLine($"{name}: {run.CellTimes.Count} code cells in {run.CellTimes.Sum(t => t.TotalSeconds):F1} s "
            + $"(first, with the package restore: {run.CellTimes[0].TotalSeconds:F1} s); packing the feed took {feed.PackTime.TotalSeconds:F1} s");
        Assert.IsTrue(run.Outputs.Count > 0, $"{name}: the notebook shows results");
        return run;
    }
}
