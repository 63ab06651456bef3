using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Cli.Tests.Infrastructure;

/// <summary>
/// The complete tiny model folders of <c>samples/models</c> (the random-weight fixture checkpoints plus a 32-pixel
/// <c>preprocessor_config.json</c> and a tokenizer cut to the tiny vocabulary), made by <c>samples/make-samples.py</c>
/// (<see cref="SamplesTests"/> checks they are what it makes). Tests only read them.
/// </summary>
internal static class TinyModels
{
    /// <summary>samples/models/xclip-tiny.</summary>
    public static string XClip => Samples.Path("models/xclip-tiny");

    /// <summary>samples/models/altclip-tiny.</summary>
    public static string AltClip => Samples.Path("models/altclip-tiny");
}

/// <summary>Paths in the repository's <c>samples</c> folder (found beside <c>tests/fixtures</c>).</summary>
internal static class Samples
{
    /// <summary>The repository's root folder.</summary>
    public static string RepositoryRoot => System.IO.Path.GetFullPath(System.IO.Path.Combine(TestFixtures.Directory, "..", ".."));

    /// <summary>The absolute path of a file or folder below <c>samples</c>.</summary>
    /// <param name="relative">E.g. <c>media/testsrc2.mp4</c>.</param>
    public static string Path(string relative) => System.IO.Path.Combine(RepositoryRoot, "samples", relative);
}
