using System.IO.Compression;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Cli.Tests.Infrastructure;

/// <summary>Paths of the repository's fixtures used by the CLI tests.</summary>
internal static class Fixtures
{
    public static readonly string[] RgbImageNames = ["rgb_320x240", "rgb_240x320", "rgb_224x224", "rgb_97x61", "rgb_1000x50"];

    public static string XClipTiny => TestFixtures.Path("models/xclip-tiny");

    public static string AltClipTiny => TestFixtures.Path("models/altclip-tiny");

    public static string TestsrcVideo => TestFixtures.Path("processors/videos/testsrc.mp4");

    public static string Image(string name) => TestFixtures.Path($"processors/images/{name}.png");

    /// <summary>A folder holding only a real checkpoint's preprocessor_config.json (xclip-base-patch32 or altclip).</summary>
    public static string ProcessorConfig(string model) => TestFixtures.Path($"processors/configs/{model}");

    /// <summary>Reads processors/expected/NAME.safetensors.gz.</summary>
    public static SafeTensorsFile ExpectedPixels(string name)
    {
        string path = TestFixtures.Path($"processors/expected/{name}.safetensors.gz");
        using var input = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        input.CopyTo(bytes);
        return SafeTensorsFile.FromBytes(bytes.ToArray(), path);
    }

    /// <summary>An environment that keeps the Hub offline with an empty cache (no test touches the network).</summary>
    public static Dictionary<string, string> OfflineEnvironment(string cacheFolder) => new()
    {
        ["HF_HUB_OFFLINE"] = "1",
        ["HF_HUB_CACHE"] = cacheFolder,
    };
}
