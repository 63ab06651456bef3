using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Clip.Cli.Tests.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Tests.Samples;

/// <summary>The offline samples: made by their script, and README's first command works with them, offline.</summary>
[TestClass]
public sealed class SamplesTests
{
    [TestMethod]
    public void ModelFoldersAreWhatTheScriptMakes()
    {
        using var temp = new TempFolder();
        Run("python3", [Infrastructure.Samples.Path("make-samples.py"), "--models-only", temp.Path], Infrastructure.Samples.RepositoryRoot);
        foreach (string model in new[] { "xclip-tiny", "altclip-tiny" })
        {
            string committed = Infrastructure.Samples.Path($"models/{model}");
            string made = Path.Combine(temp.Path, "models", model);
            CollectionAssert.AreEquivalent(Names(made), Names(committed), model);
            foreach (string name in Names(made))
            {
                CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(made, name)), File.ReadAllBytes(Path.Combine(committed, name)), $"{model}/{name}");
            }
        }
    }

    [TestMethod]
    public void ReadmesFirstCommandClassifiesTheSampleVideoOffline()
    {
        // The first command of README.md, run as written from the repository's root (only `dotnet run … --` becomes
        // the built clip.dll), with the Hub offline and an empty cache.
        string readme = File.ReadAllText(Path.Combine(Infrastructure.Samples.RepositoryRoot, "README.md"));
        string first = readme.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("dotnet run", StringComparison.Ordinal));
        StringAssert.Contains(first, "--model samples/models/xclip-tiny", "README's first command is the offline one");
        string[] args = ShellWords(first[(first.IndexOf(" -- ", StringComparison.Ordinal) + 4)..]);
        Assert.AreEqual("classify", args[0], first);
        string[] labels = args[Array.IndexOf(args, "--labels") + 1].Split(',');

        using var cache = new TempFolder();
        string clip = typeof(Cli.Program).Assembly.Location;
        (int code, string output, string error) = Run("dotnet", [clip, .. args], Infrastructure.Samples.RepositoryRoot,
            new Dictionary<string, string> { ["HF_HUB_OFFLINE"] = "1", ["HF_HUB_CACHE"] = cache.Path });
        Assert.AreEqual(0, code, $"{output}\n{error}");
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual("samples/media/testsrc2.mp4", lines[0].Trim());
        Assert.AreEqual(2 + labels.Length, lines.Length, output);
        double sum = lines.Skip(2).Sum(l => double.Parse(l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture));
        Assert.AreEqual(1.0, sum, 2e-4, output);
        Assert.IsTrue(labels.All(label => lines.Skip(2).Any(l => l.Contains(label, StringComparison.Ordinal))), output);
    }

    private static string[] Names(string folder) => Directory.GetFiles(folder).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Splits a command line at spaces, keeping "double-quoted" words together (all README uses).</summary>
    private static string[] ShellWords(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any)
                {
                    words.Add(word.ToString());
                }

                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }

        if (any)
        {
            words.Add(word.ToString());
        }

        return words.ToArray();
    }

    private static (int Code, string Out, string Error) Run(string program, string[] args, string folder, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"{program} {string.Join(' ', args)}\n{output}\n{error.Result}");
        return (process.ExitCode, output, error.Result);
    }
}
