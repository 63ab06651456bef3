using System.Diagnostics;

namespace Microsoft.ML.Clip.Tests.Vision;

/// <summary>A temporary folder for media files made by a test (with ffmpeg), deleted on dispose.</summary>
internal sealed class TempMedia : IDisposable
{
    public TempMedia()
    {
        Folder = Path.Combine(Path.GetTempPath(), "clip-vision-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public string File(string name) => Path.Combine(Folder, name);

    /// <summary>Runs ffmpeg with the given arguments (file names relative to the folder) and returns the output path.</summary>
    public string Ffmpeg(string output, params string[] arguments)
    {
        string path = File(output);
        Run("ffmpeg", [.. new[] { "-nostdin", "-v", "error", "-y" }, .. arguments, path]);
        return path;
    }

    public static void Run(string program, params string[] arguments)
    {
        (int code, string output) = RunCapturing(program, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {output}");
        }
    }

    /// <summary>Runs a program to the end and returns its exit code and its stdout followed by its stderr.</summary>
    public static (int Code, string Output) RunCapturing(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// True when process <paramref name="id"/> is still running (a reaped process is gone); with <paramref name="name"/>,
    /// only when it runs that program (a freed pid taken by another program does not count).
    /// </summary>
    public static bool IsRunning(int id, string? name = null)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(id);
            return !process.HasExited && (name is null || process.ProcessName == name);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
