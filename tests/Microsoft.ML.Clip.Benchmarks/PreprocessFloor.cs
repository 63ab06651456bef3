using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// X-CLIP's video pre-processing against the ffmpeg decode floor, broken down, in interleaved rounds (issue #17 item 4):
/// <c>dotnet Microsoft.ML.Clip.Benchmarks.dll preprocess-floor VIDEO [--rounds N]</c>. Each round runs every step once,
/// one after the other, so a burst of load from other processes hits all of them alike; the table gives each step's
/// median and the per-round ratio to the floor.
/// </summary>
/// <remarks>
/// The floor is <c>ffmpeg -i VIDEO -frames:v K -f null -</c> with K = the last uniformly sampled frame + 1: H.264 must be
/// decoded up to that frame whatever else is done. The ffmpeg command lines beside it add, one at a time, what our
/// decoder asks of ffmpeg (the <c>select</c> filter, PyAV's RGB conversion, the raw RGB pipe; ffmpeg 5.1+ spellings);
/// the library steps are the probe alone, the decode alone (probe result given), probe then decode (the order before
/// <see cref="PrestartedSelectRun"/>), probe with the prestarted run, and the whole <see cref="VisionPreprocessor.Process"/>
/// — these with ffprobe forced (<c>VideoDecoder.InProcessProbe = false</c>) — then the same with the in-process MP4 probe.
/// CPU time (this process and its children) is printed beside wall time: load from other processes inflates wall time,
/// not the work done.
/// </remarks>
internal static class PreprocessFloor
{
    public static void Run(string[] args)
    {
        string video = args[1];
        int rounds = args.SkipWhile(a => a != "--rounds").Skip(1).Select(int.Parse).FirstOrDefault(7);
        var decoder = new VideoDecoder { InProcessProbe = false };   // the rows below that name ffprobe
        var inProcess = new VideoDecoder();                          // the default: MP4/MOV with H.264 probed in-process
        var preprocessor = new VisionPreprocessor(ImageProcessorConfig.VideoMaeDefaults, numFrames: 8, decoder: decoder);
        var inProcessPreprocessor = new VisionPreprocessor(ImageProcessorConfig.VideoMaeDefaults, numFrames: 8, decoder: inProcess);
        var wholeFramePreprocessor = new VisionPreprocessor(ImageProcessorConfig.VideoMaeDefaults, numFrames: 8, decoder: inProcess)
        {
            DecodeOnlyWhatIsRead = false,
        };
        var wholeConversionPreprocessor = new VisionPreprocessor(
            ImageProcessorConfig.VideoMaeDefaults, numFrames: 8, decoder: new VideoDecoder { ConvertWindowOnly = false });
        VideoInfo info = decoder.Probe(video);
        int[] indices = FrameSampler.UniformSegments(info.FrameCount, 8);
        string last = (indices[^1] + 1).ToString(CultureInfo.InvariantCulture);
        string select = "select=" + FrameSelectExpression.For(indices);
        string scale = PyAvRgbConversion.Filter(info.PixelFormat);
        FrameWindow window = inProcessPreprocessor.Pipeline.SourceWindow(info.Width, info.Height);
        string crop = window.CropFilter;
        FrameWindow cut = ConversionWindow.For(info.PixelFormat, info.Width, info.Height, window) ?? FrameWindow.Whole(info.Width, info.Height);
        string cutThenCrop = $"{ConversionWindow.CropFilter(cut)},{scale},{ConversionWindow.Within(cut, window).CropFilter}";
        string[] input = ["-nostdin", "-v", "error", "-noautorotate", "-i", video, "-map", "0:v:0", "-an", "-sn", "-dn"];
        string[] passthrough = ["-fps_mode", "passthrough", "-frames:v", "8"];
        var steps = new (string Name, Action Run)[]
        {
            ($"floor: ffmpeg -i VIDEO -frames:v {last} -f null -", () => Ffmpeg(["-nostdin", "-v", "error", "-i", video, "-frames:v", last, "-f", "null", "-"])),
            ("ffmpeg -version (process start alone)", () => Ffmpeg(["-hide_banner", "-version"])),
            ("ffprobe -version (process start alone)", () => Run(decoder.Tools.FfprobePath, ["-hide_banner", "-version"])),
            ($"ffmpeg: decode to frame {last}, select 8, -f null", () => Ffmpeg([.. input, "-vf", select, .. passthrough, "-f", "null", "-"])),
            ("ffmpeg: … + PyAV's rgb24 scale, -f null", () => Ffmpeg([.. input, "-vf", $"{select},{scale},format=rgb24", .. passthrough, "-f", "null", "-"])),
            ("ffmpeg: … + rawvideo rgb24 to a pipe (read by .NET)", () => Ffmpeg([.. input, "-vf", $"{select},{scale}", .. passthrough, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"])),
            ($"ffmpeg: … + {crop} (the part the resize reads) before the pipe", () => Ffmpeg([.. input, "-vf", $"{select},{scale},{crop}", .. passthrough, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"])),
            ($"ffmpeg: … with the YUV cut {cut.Width}×{cut.Height} before the scale (only that part converted)", () => Ffmpeg([.. input, "-vf", $"{select},{cutThenCrop}", .. passthrough, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"])),
            ("library: probe (ffprobe)", () => decoder.Probe(video)),
            ("library: decode 8 frames (probe result given)", () => decoder.ForEachFrameAsync(info, indices, (_, _) => { }).GetAwaiter().GetResult()),
            ("library: probe, then decode 8 frames (the order before the prestarted run)", () =>
                decoder.ForEachFrameAsync(decoder.Probe(video), indices, (_, _) => { }).GetAwaiter().GetResult()),
            ("library: probe with ffmpeg started meanwhile, then decode 8 frames (what Process does with ffprobe)", () => ProbeAndDecode(decoder, video, indices)),
            ("library: VisionPreprocessor.Process (probe + decode + resize/crop/normalise), ffprobe forced", () => preprocessor.Process([video])),
            ("library: probe in-process (Mp4Probe, no ffprobe)", () => inProcess.Probe(video)),
            ("library: in-process probe, then decode 8 frames (what Process does now for H.264 MP4)", () => ProbeAndDecode(inProcess, video, indices)),
            ("library: VisionPreprocessor.Process, in-process probe, whole frames piped (before the frame window)", () => wholeFramePreprocessor.Process([video])),
            ("library: VisionPreprocessor.Process, in-process probe, the window piped, whole frames converted (before the YUV cut)", () => wholeConversionPreprocessor.Process([video])),
            ("library: VisionPreprocessor.Process, in-process probe, only the YUV around the window converted, the window piped (the default)", () => inProcessPreprocessor.Process([video])),
        };

        foreach ((_, Action run) in steps)
        {
            run();   // warm-up: JIT, page cache, ffmpeg capability probe
        }

        var seconds = steps.Select(_ => new List<double>()).ToArray();
        var cpuSeconds = steps.Select(_ => new List<double>()).ToArray();
        var ownCpuSeconds = steps.Select(_ => new List<double>()).ToArray();
        var loads = new List<string>();
        for (int r = 0; r < rounds; r++)
        {
            loads.Add(File.ReadAllText("/proc/loadavg").Split(' ')[0]);
            for (int s = 0; s < steps.Length; s++)
            {
                (double cpuBefore, double ownBefore) = (CpuSeconds(), CpuSeconds(withChildren: false));
                var watch = Stopwatch.StartNew();
                steps[s].Run();
                seconds[s].Add(watch.Elapsed.TotalSeconds);
                cpuSeconds[s].Add(CpuSeconds() - cpuBefore);
                ownCpuSeconds[s].Add(CpuSeconds(withChildren: false) - ownBefore);
            }
        }

        Console.WriteLine($"{video}: {info.Width}×{info.Height} {info.PixelFormat} {info.CodecName}, {info.FrameCount} frames; samples {string.Join(", ", indices)}");
        Console.WriteLine($"{rounds} interleaved rounds; 1-minute load at the start of each: {string.Join(", ", loads)}");
        for (int s = 0; s < steps.Length; s++)
        {
            string ratios = string.Join(" ", seconds[s].Select((t, r) => (t / seconds[0][r]).ToString("F2", CultureInfo.InvariantCulture)));
            Console.WriteLine($"  {Timing.Median(seconds[s]),6:F3} s  ×floor per round: {ratios}   {steps[s].Name}");
        }

        Console.WriteLine("CPU time (this process and its children, user + system; 10 ms ticks), median, ×floor of the medians, and this process's own part:");
        for (int s = 0; s < steps.Length; s++)
        {
            Console.WriteLine($"  {Timing.Median(cpuSeconds[s]),6:F2} s  {Timing.Median(cpuSeconds[s]) / Timing.Median(cpuSeconds[0]),5:F2}×  own {Timing.Median(ownCpuSeconds[s]),5:F2} s   {steps[s].Name}");
        }
    }

    /// <summary>
    /// CPU seconds used so far by this process and (<paramref name="withChildren"/>) its reaped children
    /// (<c>/proc/self/stat</c> utime, stime, cutime, cstime): the work done, which load from other processes does not inflate the way it inflates wall time.
    /// </summary>
    private static double CpuSeconds(bool withChildren = true)
    {
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');   // fields from the 3rd (state) on
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        if (withChildren)
        {
            ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        }

        return ticks / 100.0;   // USER_HZ
    }

    /// <summary>The probe and the prestarted ffmpeg run at once, then the streaming decode (frames dropped), as <see cref="VisionPreprocessor"/> runs them.</summary>
    private static void ProbeAndDecode(VideoDecoder decoder, string video, int[] indices)
    {
        (VideoInfo info, PrestartedSelectRun? run) = decoder.ProbeAndPrestartAsync(video, sortedIndices: null, CancellationToken.None).GetAwaiter().GetResult();
        try
        {
            decoder.ForEachFrameAsync(info, indices, (_, _) => { }, run, CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            run?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static void Ffmpeg(string[] arguments) => Run(FfmpegTools.Default.FfmpegPath, arguments);

    /// <summary>Runs a program to its end, its stdout read and dropped by .NET (as the library reads ffmpeg's pipe).</summary>
    private static void Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Stream stdout = process.StandardOutput.BaseStream;
        var buffer = new byte[1 << 20];
        while (stdout.Read(buffer) > 0)
        {
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}.");
        }
    }
}
