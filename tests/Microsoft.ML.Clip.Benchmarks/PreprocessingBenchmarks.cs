using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// Pre-processing cost for 1080p input: the X-CLIP (bilinear) and AltCLIP (bicubic) processors on decoded frames,
/// and ffmpeg decoding of 8 uniformly sampled frames from a 2-second 1080p video (made with ffmpeg's testsrc).
/// Run: <c>dotnet run -c Release --project tests/Microsoft.ML.Clip.Benchmarks -- --filter '*PreprocessingBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class PreprocessingBenchmarks
{
    private string _folder = "";
    private string _video = "";
    private RgbImage[] _frames = [];
    private VideoMaeImageProcessor _xclip = null!;
    private ClipImageProcessor _altclip = null!;
    private VisionPreprocessor _preprocessor = null!;
    private readonly VideoDecoder _decoder = new();

    /// <summary>Makes the 1080p test video and decodes its 8 sampled frames once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "clip-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _video = Path.Combine(_folder, "testsrc1080p.mp4");
        var ffmpeg = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
        foreach (string a in new[] { "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=1920x1080:rate=25", "-t", "2", "-pix_fmt", "yuv420p", _video })
        {
            ffmpeg.ArgumentList.Add(a);
        }

        using (Process p = Process.Start(ffmpeg)!)
        {
            string error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException("ffmpeg could not make the test video: " + error);
            }
        }

        _frames = _decoder.ReadFrames(_video, FrameSampler.UniformSegments(50, 8));
        _xclip = new VideoMaeImageProcessor(ImageProcessorConfig.VideoMaeDefaults with
        {
            ImageMean = [0.485, 0.456, 0.406],
            ImageStd = [0.229, 0.224, 0.225],
        });
        _altclip = new ClipImageProcessor();
        _preprocessor = new VisionPreprocessor(_xclip.Config, numFrames: 8);
    }

    /// <summary>Deletes the test video.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    /// <summary>X-CLIP processor (bilinear), one 1080p frame.</summary>
    [Benchmark]
    public Tensor XClipOneFrame() => _xclip.Preprocess([_frames[0]]);

    /// <summary>X-CLIP processor, 8 frames of 1080p (one video; frames in parallel).</summary>
    [Benchmark]
    public Tensor XClipEightFrames() => _xclip.Preprocess(_frames);

    /// <summary>AltCLIP processor (bicubic), one 1080p frame.</summary>
    [Benchmark]
    public Tensor AltClipOneFrame() => _altclip.Preprocess(_frames[0]);

    /// <summary>End to end, as the CLI runs it: probe, decode 8 uniformly sampled frames, X-CLIP processor.</summary>
    [Benchmark]
    public Tensor EndToEndVideo() => _preprocessor.Process([_video]);

    /// <summary>ffmpeg probe + decode of 8 sampled frames from the 2 s 1080p H.264 video.</summary>
    [Benchmark]
    public RgbImage[] DecodeEightFrames() => _decoder.ReadFrames(_video, FrameSampler.UniformSegments(50, 8));
}
