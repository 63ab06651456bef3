using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// Still-image decoding: in-process Skia (the decoder's path for JPEG/PNG/WebP/…) against the ffmpeg path images took
/// before (ffprobe, then one ffmpeg run piping raw RGB), on a photo-sized JPEG and PNG (made with ffmpeg's testsrc2).
/// Images per second = 1 / mean. Run: <c>dotnet run -c Release --project tests/Microsoft.ML.Clip.Benchmarks -- --filter '*ImageDecodingBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ImageDecodingBenchmarks
{
    private string _folder = "";
    private readonly VideoDecoder _decoder = new();

    /// <summary>The image decoded.</summary>
    [Params("photo_1280x720.jpg", "photo_1280x720.png", "thumb_320x240.jpg")]
    public string Image { get; set; } = "";

    /// <summary>Makes the images.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "clip-bench-images-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        Make("photo_1280x720.jpg", "1280x720", "-q:v", "3");
        Make("photo_1280x720.png", "1280x720");
        Make("thumb_320x240.jpg", "320x240", "-q:v", "3");
    }

    /// <summary>Deletes the images.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    /// <summary>Skia, in-process: probe (header) and decode, as <see cref="VideoDecoder.ReadImage"/> does now.</summary>
    [Benchmark(Baseline = true)]
    public RgbImage Skia() => _decoder.ReadImage(Path.Combine(_folder, Image));

    /// <summary>The ffmpeg path: ffprobe, then ffmpeg to raw RGB through a pipe (what images took before Skia).</summary>
    [Benchmark]
    public RgbImage Ffmpeg()
    {
        var source = new VideoInfo { Path = Path.Combine(_folder, Image), Width = 0, Height = 0, FrameCount = 0, FrameCountSource = "" };
        VideoInfo info = FfprobeProbe.ProbeAsync(_decoder, source, CancellationToken.None).GetAwaiter().GetResult();
        return _decoder.ReadFramesAsync(info, [0]).GetAwaiter().GetResult()[0];
    }

    private void Make(string name, string size, params string[] extra)
    {
        var ffmpeg = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
        foreach (string a in (string[])["-nostdin", "-v", "error", "-f", "lavfi", "-i", $"testsrc2=size={size}", "-frames:v", "1", .. extra, Path.Combine(_folder, name)])
        {
            ffmpeg.ArgumentList.Add(a);
        }

        using Process p = Process.Start(ffmpeg)!;
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not make {name}: {error}");
        }
    }
}
