using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision.PythonParity;

/// <summary>
/// The differential corpus: <c>tests/pixels/make_corpus.py</c> writes images and videos (Pillow, ffmpeg) into a temp
/// folder and decodes each with Pillow (<c>load_image</c> semantics) and PyAV (<c>to_ndarray(format="rgb24")</c>); the
/// tests compare our decoders with those bytes. Made once per test run (about 20 s); needs Python 3 with Pillow, numpy
/// and PyAV (Debian: <c>python3-pil python3-numpy python3-av</c>, which <c>.ci/run</c> installs).
/// </summary>
internal sealed class PythonCorpus
{
    private static readonly Lazy<PythonCorpus> Shared = new(Create);

    private PythonCorpus(string folder, CorpusEntry[] entries)
    {
        Folder = folder;
        Entries = entries;
    }

    /// <summary>The corpus of this test run (made on first use, deleted by <see cref="DeleteIfCreated"/>).</summary>
    public static PythonCorpus Instance => Shared.Value;

    public string Folder { get; }

    public CorpusEntry[] Entries { get; }

    public IEnumerable<CorpusEntry> Images => Entries.Where(e => e.Kind == "image");

    public IEnumerable<CorpusEntry> Videos => Entries.Where(e => e.Kind == "video");

    public string File(CorpusEntry entry) => Path.Combine(Folder, entry.Name);

    /// <summary>Pillow's pixels (EXIF orientation undone, as load_image) or PyAV's frames, split into images.</summary>
    public RgbImage[] Reference(CorpusEntry entry, bool stored = false)
    {
        (int width, int height, string file) = stored
            ? (entry.StoredWidth, entry.StoredHeight, entry.StoredReference!)
            : (entry.Width, entry.Height, entry.Reference);
        byte[] bytes = System.IO.File.ReadAllBytes(Path.Combine(Folder, file));
        int frameBytes = width * height * 3;
        Assert.AreEqual(entry.Frames * frameBytes, bytes.Length, $"{entry.Name}: reference size");
        return Enumerable.Range(0, entry.Frames)
            .Select(i => new RgbImage(width, height, bytes[(i * frameBytes)..((i + 1) * frameBytes)]))
            .ToArray();
    }

    /// <summary>Deletes the corpus folder when one was made.</summary>
    public static void DeleteIfCreated()
    {
        if (Shared.IsValueCreated)
        {
            try
            {
                Directory.Delete(Shared.Value.Folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static PythonCorpus Create()
    {
        string python = FindPython();
        string script = Path.Combine(Directory.GetParent(TestFixtures.Directory)!.FullName, "pixels", "make_corpus.py");
        string folder = Path.Combine(Path.GetTempPath(), "clip-pixels-" + Guid.NewGuid().ToString("N"));
        (int code, string output) = TempMedia.RunCapturing(python, script, folder);
        Assert.AreEqual(0, code, $"{python} {script} {folder} failed:\n{output}");
        CorpusEntry[] entries = JsonSerializer.Deserialize<CorpusEntry[]>(System.IO.File.ReadAllText(Path.Combine(folder, "manifest.json")))!;
        return new PythonCorpus(folder, entries);
    }

    /// <summary>CLIP_PYTHON, else the first of /usr/bin/python3 and python3 that imports av, PIL and numpy.</summary>
    private static string FindPython()
    {
        string[] candidates = Environment.GetEnvironmentVariable("CLIP_PYTHON") is { Length: > 0 } chosen
            ? [chosen]
            : ["/usr/bin/python3", "python3"];
        var tried = new List<string>();
        foreach (string candidate in candidates)
        {
            try
            {
                (int code, string output) = TempMedia.RunCapturing(candidate, "-c", "import av, PIL, numpy");
                if (code == 0)
                {
                    return candidate;
                }

                tried.Add($"{candidate}: {output.Trim()}");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                tried.Add($"{candidate}: {e.Message}");
            }
        }

        Assert.Fail("The Python decoding references need Python 3 with PyAV, Pillow and numpy " +
            "(Debian: apt-get install python3-av python3-pil python3-numpy; or set CLIP_PYTHON). Tried:\n" + string.Join("\n", tried));
        return "";
    }
}

/// <summary>One input of manifest.json.</summary>
internal sealed record CorpusEntry
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("mode")] public string Mode { get; init; } = "";
    [JsonPropertyName("notes")] public string Notes { get; init; } = "";
    [JsonPropertyName("width")] public int Width { get; init; }
    [JsonPropertyName("height")] public int Height { get; init; }
    [JsonPropertyName("frames")] public int Frames { get; init; }
    [JsonPropertyName("reference")] public required string Reference { get; init; }
    [JsonPropertyName("stored_width")] public int StoredWidth { get; init; }
    [JsonPropertyName("stored_height")] public int StoredHeight { get; init; }
    [JsonPropertyName("stored_reference")] public string? StoredReference { get; init; }

    public override string ToString() => $"{Name} ({Mode}; {Notes})";
}
