using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Commands;

/// <summary>
/// <c>clip embed</c> under real use (issue 16): one writer per output, files that record what made them, paths that
/// do not depend on the working directory, and inputs that cannot be read.
/// </summary>
[TestClass]
public sealed class EmbedSafetyTests
{
    [TestMethod]
    public void ASecondWriterIsRefusedWhileTheFirstHoldsTheOutput()
    {
        using var temp = new TempFolder();
        string output = temp.File("e.csv");
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.Image("rgb_97x61"), "-o", output, "-m", TinyModels.AltClip).ExitCode);
        byte[] before = File.ReadAllBytes(output);

        using (OutputLock.Acquire(output, "clip embed"))
        {
            // What a second 'clip embed' into the same file meets while the first one runs.
            CliResult second = CliRunner.Run("embed", Fixtures.Image("rgb_224x224"), "-o", output, "-m", TinyModels.AltClip);
            Assert.AreEqual(1, second.ExitCode, second.ToString());
            StringAssert.Contains(second.Error, "is being written by another 'clip embed'");
            StringAssert.Contains(second.Error, "e.csv.lock");
            Assert.ThrowsExactly<IOException>(() => OutputLock.Acquire(output, "clip embed"));
        }

        CollectionAssert.AreEqual(before, File.ReadAllBytes(output), "the refused run wrote nothing");
        Assert.IsFalse(File.Exists(OutputLock.LockPathOf(output)), "the lock file goes with the lock");
        CliResult third = CliRunner.Run("embed", Fixtures.Image("rgb_224x224"), "-o", output, "-m", TinyModels.AltClip);
        Assert.AreEqual(0, third.ExitCode, third.ToString());
        Assert.AreEqual(2, EmbeddingFile.Load(output).Count, "both runs' rows are kept");
    }

    [TestMethod]
    public void ConcurrentRunsIntoOneFileLoseNoRowsTheyReport()
    {
        using var temp = new TempFolder();
        string output = temp.File("e.jsonl");
        string[] first = Fixtures.RgbImageNames.Take(3).Select(Fixtures.Image).ToArray();
        string[] second = Fixtures.RgbImageNames.Skip(3).Select(Fixtures.Image).ToArray();
        Task<CliResult> a = Task.Run(() => CliRunner.Run(["embed", .. first, "-o", output, "-m", TinyModels.AltClip, "-b", "1"]));
        Task<CliResult> b = Task.Run(() => CliRunner.Run(["embed", .. second, "-o", output, "-m", TinyModels.AltClip, "-b", "1"]));
        CliResult[] results = [a.Result, b.Result];

        // Either both succeed one after the other, or one is refused; a run that reports success has its rows in the file.
        Assert.IsTrue(results.Any(r => r.ExitCode == 0), string.Join("\n", results.Select(r => r.ToString())));
        string[] stored = EmbeddingFile.Load(output).Inputs.ToArray();
        foreach ((CliResult result, string[] inputs) in new[] { (results[0], first), (results[1], second) })
        {
            if (result.ExitCode == 0)
            {
                CollectionAssert.IsSubsetOf(inputs, stored, result.ToString());
            }
            else
            {
                StringAssert.Contains(result.Error, "is being written by another 'clip embed'", result.ToString());
            }
        }
    }

    [TestMethod]
    [DataRow("e.csv")]
    [DataRow("e.jsonl")]
    [DataRow("e.safetensors")]
    public void TheFileRecordsWhatMadeIt(string name)
    {
        using var temp = new TempFolder();
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.TestsrcVideo, "-o", temp.File(name), "-m", TinyModels.XClip, "--sampling", "clips:2").ExitCode);
        EmbeddingProvenance made = EmbeddingFile.Load(temp.File(name)).Provenance;
        Assert.AreEqual(Path.GetFullPath(TinyModels.XClip), made.Model);
        Assert.AreEqual(CheckpointFingerprint.Compute(TinyModels.XClip), made.Fingerprint);
        StringAssert.StartsWith(made.Fingerprint, "sha256:");
        Assert.AreEqual(EmbeddingProvenance.VideoKind, made.Kind);
        Assert.AreEqual(3, made.Frames, "the tiny X-CLIP's num_frames");
        Assert.AreEqual("clips:2", made.Sampling);
        Assert.IsNull(made.Template);

        File.WriteAllLines(temp.File("t.txt"), ["a cat"]);
        Assert.AreEqual(0, CliRunner.Run("embed", temp.File("t.txt"), "-o", temp.File("t" + name), "-m", TinyModels.AltClip, "--template", "a photo of {}").ExitCode);
        EmbeddingProvenance text = EmbeddingFile.Load(temp.File("t" + name)).Provenance;
        Assert.AreEqual((EmbeddingProvenance.TextKind, "a photo of {}", (int?)null), (text.Kind, text.Template, text.Frames));
    }

    [TestMethod]
    public void SearchRefusesEmbeddingsOfAnotherModelOfTheSameWidth()
    {
        using var temp = new TempFolder();
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.Image("rgb_97x61"), Fixtures.Image("rgb_224x224"), "-o", temp.File("e.csv"), "-m", TinyModels.AltClip).ExitCode);
        CliResult result = CliRunner.Run("search", temp.File("e.csv"), "--query", "a cat", "--model", TinyModels.XClip);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "was embedded by another model than the query's");
        StringAssert.Contains(result.Error, "the model weights");
        Assert.AreEqual(string.Empty, result.Out, "no ranking");
    }

    [TestMethod]
    public void AFileMixingTwoModelsRowsIsRefused()
    {
        using var temp = new TempFolder();
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.Image("rgb_97x61"), "-o", temp.File("a.csv"), "-m", TinyModels.AltClip).ExitCode);
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.Image("rgb_224x224"), "-o", temp.File("x.csv"), "-m", TinyModels.XClip).ExitCode);
        File.AppendAllLines(temp.File("a.csv"), File.ReadAllLines(temp.File("x.csv")).Skip(1)); // rows pasted under the header
        CliResult result = CliRunner.Run("search", temp.File("a.csv"), "--query", "a cat");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "mixes embeddings made differently");
        StringAssert.Contains(result.Error, "record 3");
    }

    [TestMethod]
    public void PathsAreStoredCanonicallySoTheWorkingDirectoryDoesNotMatter()
    {
        using var temp = new TempFolder();
        string output = temp.File("e.csv");
        string image = Fixtures.Image("rgb_97x61");
        string here = Environment.CurrentDirectory;
        string relativeModel = Path.GetRelativePath(here, TinyModels.AltClip);
        string relativeImage = Path.GetRelativePath(here, image);
        Assert.IsFalse(Path.IsPathRooted(relativeModel), relativeModel);

        Assert.AreEqual(0, CliRunner.Run("embed", relativeImage, "-o", output, "-m", relativeModel).ExitCode);
        EmbeddingFile file = EmbeddingFile.Load(output);
        Assert.AreEqual(Path.GetFullPath(TinyModels.AltClip), file.Model, "the model folder, absolute");
        CollectionAssert.AreEqual(new[] { Path.GetFullPath(image) }, file.Inputs.ToArray(), "the input, absolute");

        // The same image and model spelled absolutely (as from another working directory): nothing new, no error.
        CliResult again = CliRunner.Run("embed", image, "-o", output, "-m", TinyModels.AltClip);
        Assert.AreEqual(0, again.ExitCode, again.ToString());
        StringAssert.Contains(again.Error, "1 input(s) already in");
        StringAssert.Contains(again.Out, "(0 new)");

        // search needs no --model: the recorded folder is absolute.
        CliResult search = CliRunner.Run("search", output, "--query", "x");
        Assert.AreEqual(0, search.ExitCode, search.ToString());
    }

    [TestMethod]
    public void OtherSamplingIsNotAppendedToAFile()
    {
        using var temp = new TempFolder();
        string output = temp.File("e.jsonl");
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.TestsrcVideo, "-o", output, "-m", TinyModels.XClip).ExitCode);
        CliResult result = CliRunner.Run("embed", Fixtures.Image("rgb_97x61"), "-o", output, "-m", TinyModels.XClip, "--sampling", "clips:2");
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "--sampling ('uniform' vs 'clips:2')");
        Assert.AreEqual(1, EmbeddingFile.Load(output).Count, "the file is untouched");
    }

    [TestMethod]
    public void OtherSettingsAreRefusedBeforeAModelIsFetched()
    {
        using var temp = new TempFolder();
        using var cache = new TempFolder();
        string output = temp.File("e.csv");
        Assert.AreEqual(0, CliRunner.Run("embed", Fixtures.TestsrcVideo, "-o", output, "-m", TinyModels.XClip).ExitCode);

        // A Hub id that is not in the (empty, offline) cache: the settings are compared first, so no download is tried.
        CliResult result = CliRunner.Run(
            ["embed", Fixtures.Image("rgb_97x61"), "-o", output, "-m", "someone/not-cached", "--sampling", "stride:2"],
            environment: Fixtures.OfflineEnvironment(cache.Path));
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "--sampling ('uniform' vs 'stride:2')");
    }

    [TestMethod]
    public void AnOldFileWithoutProvenanceIsNotResumed()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("old.csv"), $"input,model,e0,e1\n{Fixtures.Image("rgb_97x61")},{TinyModels.AltClip},1,2\n");
        CliResult result = CliRunner.Run("embed", Fixtures.Image("rgb_224x224"), "-o", temp.File("old.csv"), "-m", TinyModels.AltClip);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Error, "does not record how its embeddings were made");
    }

    [TestMethod]
    public void SkipErrorsRecordsUnreadableInputsAndResumeSkipsThem()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("broken.mp4"), "not a video");
        string output = temp.File("e.csv");
        string[] inputs = [Fixtures.Image("rgb_97x61"), temp.File("broken.mp4"), Fixtures.Image("rgb_224x224")];

        // Without --skip-errors the run stops at the bad file, names it and says how to go on.
        CliResult stopped = CliRunner.Run(["embed", .. inputs, "-o", output, "-m", TinyModels.AltClip, "-b", "1"]);
        Assert.AreEqual(1, stopped.ExitCode, stopped.ToString());
        StringAssert.Contains(stopped.Error, "broken.mp4");
        StringAssert.Contains(stopped.Error, "--skip-errors");
        Assert.AreEqual(1, EmbeddingFile.Load(output).Count, "the row before the bad file is saved");

        // With it, the batch holding the bad file is split: the good input is embedded, the bad one recorded.
        CliResult skipped = CliRunner.Run(["embed", .. inputs, "-o", output, "-m", TinyModels.AltClip, "-b", "8", "--skip-errors"]);
        Assert.AreEqual(0, skipped.ExitCode, skipped.ToString());
        StringAssert.Contains(skipped.Out, "2 embedding(s)");
        StringAssert.Contains(skipped.Out, "1 new, 1 failed: see " + EmbeddingErrors.PathOf(output));
        string[] recorded = File.ReadAllLines(EmbeddingErrors.PathOf(output));
        Assert.AreEqual(1, recorded.Length);
        StringAssert.Contains(recorded[0], "broken.mp4");

        // A resume skips it; --retry-errors tries it again (and it fails again, still recorded).
        CliResult resumed = CliRunner.Run(["embed", .. inputs, "-o", output, "-m", TinyModels.AltClip]);
        Assert.AreEqual(0, resumed.ExitCode, resumed.ToString());
        StringAssert.Contains(resumed.Error, "1 input(s) failed in an earlier run");
        StringAssert.Contains(resumed.Out, "(0 new, 1 failed");
        CliResult retried = CliRunner.Run(["embed", .. inputs, "-o", output, "-m", TinyModels.AltClip, "--retry-errors", "--skip-errors"]);
        Assert.AreEqual(0, retried.ExitCode, retried.ToString());
        StringAssert.Contains(retried.Error, "skipped '" + temp.File("broken.mp4"));

        // Once the file is fixed, a retry embeds it and the error file goes away.
        File.Copy(Fixtures.TestsrcVideo, temp.File("broken.mp4"), overwrite: true);
        CliResult fixedRun = CliRunner.Run(["embed", .. inputs, "-o", output, "-m", TinyModels.AltClip, "--retry-errors"]);
        Assert.AreEqual(0, fixedRun.ExitCode, fixedRun.ToString());
        Assert.AreEqual(3, EmbeddingFile.Load(output).Count);
        Assert.IsFalse(File.Exists(EmbeddingErrors.PathOf(output)));
        CollectionAssert.AreEquivalent(new[] { "e.csv" }, Directory.GetFiles(temp.Path).Select(Path.GetFileName).Where(n => n != "broken.mp4").ToArray(), "no lock or temporary files left");
    }

    [TestMethod]
    public void HelpDescribesWhatEmbedDoesWithClips()
    {
        CliResult help = CliRunner.Run("embed", "--help");
        Assert.AreEqual(0, help.ExitCode, help.ToString());
        string text = System.Text.RegularExpressions.Regex.Replace(help.Out, @"\s+", " "); // help wraps long lines
        Assert.IsFalse(text.Contains("scores are averaged", StringComparison.Ordinal), help.Out);
        StringAssert.Contains(text, "the video's embedding is the mean of its clips' embeddings, one row per video");
        StringAssert.Contains(text, "--skip-errors");
    }
}
