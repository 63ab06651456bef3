using System.Diagnostics;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>
/// A temporary 10 s, 1920×1080, 30 fps H.264 video (ffmpeg's <c>testsrc2</c> pattern, libx264 at its default
/// settings, yuv420p: what a camera or a download gives) for the pre-processing benchmarks. Deleted on dispose.
/// </summary>
internal sealed class BenchmarkVideo : IDisposable
{
    private BenchmarkVideo(string folder, string path)
    {
        Folder = folder;
        Path = path;
    }

    /// <summary>The video file.</summary>
    public string Path { get; }

    private string Folder { get; }

    /// <summary>Encodes the video (about 10 s of work on two cores).</summary>
    /// <param name="tools">Where ffmpeg is.</param>
    /// <exception cref="FfmpegNotFoundException">ffmpeg is not installed.</exception>
    public static BenchmarkVideo Create(FfmpegTools tools)
    {
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "clip-bench-video-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string path = System.IO.Path.Combine(folder, "1080p-10s.mp4");
        try
        {
            var start = new ProcessStartInfo(tools.FfmpegPath) { RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in (string[])["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-t", "10",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", path])
            {
                start.ArgumentList.Add(argument);
            }

            Process process;
            try
            {
                process = Process.Start(start) ?? throw new FfmpegNotFoundException(tools.FfmpegPath);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new FfmpegNotFoundException(tools.FfmpegPath, e);
            }

            using (process)
            {
                string error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"ffmpeg could not encode the benchmark video (exit code {process.ExitCode}): {error.Trim()}");
                }
            }

            return new BenchmarkVideo(folder, path);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
