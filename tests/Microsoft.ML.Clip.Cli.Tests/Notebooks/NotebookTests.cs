using Microsoft.ML.Clip.Cli.Tests.Infrastructure;
using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Cli.Tests.Notebooks;

/// <summary>
/// Executes every code cell of every notebook in notebooks/, in order, on the tiny fixture models, so a notebook can
/// never silently rot. The notebooks read their model ids and sample folders from CLIP_NOTEBOOK_* environment
/// variables (defaulting to Hub ids and the repository's fixtures for real users); the tests point them at the
/// complete tiny model folders. The tests of this class run one after another (class-level parallelism), so the
/// process-wide variables are stable while a notebook runs; no other test reads them.
/// </summary>
[TestClass]
public sealed class NotebookTests
{
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
        string[] notebooks = Directory.GetFiles(NotebookFolder, "*.ipynb").Select(Path.GetFileName).OrderBy(n => n).ToArray()!;
        CollectionAssert.AreEqual(
            new[] { ZeroShot, Retrieval, LinearProbe, Parity },
            notebooks,
            "a new notebook needs a test method here");
    }

    [TestMethod]
    public async Task ZeroShotVideoClassification()
    {
        NotebookGlobals globals = await Run(ZeroShot);
        var ranking = ((System.Collections.IEnumerable)globals.Displayed[^1]!).Cast<object>().ToList();
        Assert.AreEqual(4, ranking.Count, "one row per label");
        double total = ranking.Sum(r => (double)r.GetType().GetProperty("Probability")!.GetValue(r)!);
        Assert.AreEqual(1.0, total, 1e-5, "the probabilities sum to 1");
    }

    [TestMethod]
    public async Task MultilingualImageTextRetrieval()
    {
        NotebookGlobals globals = await Run(Retrieval);
        var results = ((System.Collections.IEnumerable)globals.Displayed[^1]!).Cast<object>().ToList();
        Assert.AreEqual(4, results.Count, "one row per query");
        Assert.IsTrue(results.All(r => Math.Abs((float)r.GetType().GetProperty("Cosine")!.GetValue(r)!) <= 1.0001f), "cosines of unit vectors");
    }

    [TestMethod]
    public async Task FewShotLinearProbeWithMLNet()
    {
        NotebookGlobals globals = await Run(LinearProbe);
        object metrics = globals.Displayed[^1]!;
        double accuracy = (double)metrics.GetType().GetProperty("MicroAccuracy")!.GetValue(metrics)!;
        Assert.IsTrue(accuracy is >= 0 and <= 1, $"accuracy {accuracy}");
    }

    /// <summary>
    /// The part of the ML.NET notebook that the ML.NET stand-in supports (loading the data, the AltClipImageEmbedding
    /// transform), up to the first cell that needs ML.NET's trainers, which only the real package has.
    /// </summary>
    [TestMethod]
    public async Task FewShotLinearProbeEmbeddingCells()
    {
        Notebook notebook = Notebook.Load(Path.Combine(NotebookFolder, LinearProbe));
        NotebookGlobals globals = await NotebookRunner.RunAsync(notebook, cell => cell.Source.Contains(".MulticlassClassification", StringComparison.Ordinal));
        Assert.AreEqual("Features: Vector<Single, 24>", globals.Displayed[^1]);
    }

    [TestMethod]
    public async Task ParityWalkthrough()
    {
        NotebookGlobals globals = await Run(Parity);
        Assert.AreEqual("Every output is within tolerance.", globals.Displayed[^1]);
    }

    private const string ZeroShot = "01-zero-shot-video-classification.ipynb";
    private const string Retrieval = "02-multilingual-image-text-retrieval.ipynb";
    private const string LinearProbe = "03-few-shot-linear-probe-mlnet.ipynb";
    private const string Parity = "04-parity-walkthrough.ipynb";

    private static async Task<NotebookGlobals> Run(string name)
    {
        Notebook notebook = Notebook.Load(Path.Combine(NotebookFolder, name));
        Assert.AreEqual(".net-csharp", notebook.Kernel, "a .NET Interactive C# notebook");
        Assert.IsTrue(notebook.CodeCells.Count >= 3 && notebook.MarkdownCells >= 2, "code with explanations");
        Assert.IsTrue(notebook.CodeCells[0].Source.Contains("#r \"nuget: Microsoft.ML.Clip", StringComparison.Ordinal), "references the package the way users will");
        NotebookGlobals globals = await NotebookRunner.RunAsync(notebook);
        Assert.IsTrue(globals.Displayed.Count > 0, "the notebook shows results");
        return globals;
    }
}
