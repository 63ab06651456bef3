namespace Microsoft.ML.Clip.Testing;

/// <summary>Locates the repository's test fixtures (<c>tests/fixtures</c>, copied from the reference environment; never edited).</summary>
internal static class TestFixtures
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The absolute path of <c>tests/fixtures</c>.</summary>
    public static string Directory => Root.Value;

    /// <summary>The absolute path of a file or folder below <c>tests/fixtures</c>, e.g. <c>models/xclip-tiny</c>.</summary>
    public static string Path(string relative) => System.IO.Path.Combine(Root.Value, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "tests", "fixtures");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        string? fromEnvironment = Environment.GetEnvironmentVariable("CLIP_TEST_FIXTURES");
        if (fromEnvironment is not null && System.IO.Directory.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }

        throw new DirectoryNotFoundException(
            $"tests/fixtures was not found above {AppContext.BaseDirectory}; set CLIP_TEST_FIXTURES to its path.");
    }
}
