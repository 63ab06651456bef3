using System.IO.Compression;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>Paths and readers for tests/fixtures/processors.</summary>
internal static class VisionFixtures
{
    public static readonly string[] RgbImageNames = ["rgb_320x240", "rgb_240x320", "rgb_224x224", "rgb_97x61", "rgb_1000x50"];

    public static readonly string[] AllImageNames = [.. RgbImageNames, "gray_200x150", "rgba_180x120"];

    public static readonly int[] TestsrcIndices = [3, 9, 15, 21, 28, 34, 40, 46];

    public static string Image(string name) => TestFixtures.Path($"processors/images/{name}.png");

    public static string TestsrcVideo => TestFixtures.Path("processors/videos/testsrc.mp4");

    public static string TestsrcFrame(int index) => TestFixtures.Path($"processors/videos/testsrc_frames/frame_{index:000}.png");

    public static string Config(string model) => TestFixtures.Path($"processors/configs/{model}");

    /// <summary>Reads expected/NAME.safetensors.gz.</summary>
    public static SafeTensorsFile Expected(string name)
    {
        string path = TestFixtures.Path($"processors/expected/{name}.safetensors.gz");
        using var input = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        input.CopyTo(bytes);
        return SafeTensorsFile.FromBytes(bytes.ToArray(), path);
    }
}
