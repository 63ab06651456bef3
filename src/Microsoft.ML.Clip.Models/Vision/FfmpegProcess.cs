using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Runs ffmpeg/ffprobe as a child process: arguments passed without a shell, stdout consumed as a stream while
/// stderr is drained concurrently (so neither pipe can fill and deadlock), the child killed on cancellation or
/// when the reader stops early, and always reaped (no zombies).
/// </summary>
internal static class FfmpegProcess
{
    /// <summary>Raised with the process id and media file right after a child starts (tests use it to check the child is gone).</summary>
    internal static event Action<int, string>? Started;

    /// <summary>
    /// Runs <paramref name="program"/> and hands its stdout to <paramref name="readOutput"/>. With
    /// <paramref name="stopWhenRead"/>, a child still running when the reader returns is killed (its remaining output
    /// is not needed); otherwise the child is awaited and its exit code reported.
    /// </summary>
    /// <param name="program">The executable.</param>
    /// <param name="arguments">The arguments, passed verbatim.</param>
    /// <param name="file">The media file, for error messages.</param>
    /// <param name="readOutput">Consumes stdout; may stop early.</param>
    /// <param name="cancellationToken">Kills the child when cancelled.</param>
    /// <param name="stopWhenRead">Kill the child once the reader has what it needs.</param>
    /// <param name="standardInput">
    /// Text for the child's stdin, written (and stdin closed) when the task completes; null closes stdin at once. A
    /// child that exits before reading it is not an error here (its output and exit code tell what went wrong).
    /// </param>
    /// <returns>The reader's result, and ffmpeg's exit code and stderr (null exit code when it was killed after the reader finished).</returns>
    public static async Task<ProcessResult<T>> RunAsync<T>(
        string program,
        IReadOnlyList<string> arguments,
        string file,
        Func<Stream, CancellationToken, Task<T>> readOutput,
        CancellationToken cancellationToken,
        bool stopWhenRead,
        Task<string>? standardInput = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var startInfo = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            if (!process.Start())
            {
                throw new FfmpegNotFoundException(program);
            }
        }
        catch (Win32Exception e)
        {
            throw new FfmpegNotFoundException(program, e);
        }

        Started?.Invoke(process.Id, file);
        Task input = standardInput is null ? Task.CompletedTask : WriteInputAsync(process.StandardInput, standardInput);
        if (standardInput is null)
        {
            process.StandardInput.Close();   // ffmpeg must never wait for keyboard input
        }

        bool readerFinishedFirst = false;
        Task<string> stderr = ReadTailAsync(process.StandardError);
        try
        {
            using CancellationTokenRegistration registration = cancellationToken.Register(() => Kill(process));
            T value;
            try
            {
                value = await readOutput(process.StandardOutput.BaseStream, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // The reader failed (e.g. the stream ended early): let ffmpeg finish so its message explains why,
                // but never wait on a child that may be blocked writing to a pipe nobody reads any more.
                await WaitOrKillAsync(process, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                string message = await stderr.ConfigureAwait(false);
                throw new ProcessOutputException(e.Message, HasExited(process) ? process.ExitCode : -1, message, e);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (stopWhenRead && !process.HasExited)
            {
                // Kill the child alone: a kill of the process tree reads /proc/<pid>/stat of every process on the
                // machine (≈ 15 ms of CPU) on every decode. Closing our end of stdout then ends any process the child
                // left behind that still writes frames (a wrapper script that did not exec ffmpeg): it gets EPIPE.
                readerFinishedFirst = true;
                Kill(process, entireProcessTree: false);
                process.StandardOutput.Close();
            }

            await WaitAsync(process).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new ProcessResult<T>(value, readerFinishedFirst ? null : process.ExitCode, await stderr.ConfigureAwait(false));
        }
        catch (IOException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            if (!readerFinishedFirst && !HasExited(process))
            {
                // Cancelled or failed: the whole tree, in case the configured ffmpeg is a wrapper that did not exec it.
                Kill(process, entireProcessTree: true);
            }

            // Reap the child: Process.WaitForExit waits for the OS to release it, so no zombie remains.
            await WaitAsync(process).ConfigureAwait(false);
            _ = stderr.ContinueWith(t => t.Exception, TaskScheduler.Default);
            _ = input.ContinueWith(t => t.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>Writes the text to the child's stdin once it is known, then closes stdin (ffmpeg reads to the end).</summary>
    private static async Task WriteInputAsync(StreamWriter stdin, Task<string> text)
    {
        try
        {
            string value = await text.ConfigureAwait(false);
            await stdin.WriteAsync(value).ConfigureAwait(false);
            await stdin.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The child exited (or was killed) without reading it.
        }
        finally
        {
            try
            {
                stdin.Close();
            }
            catch (IOException)
            {
                // Broken pipe on the final flush: the child is gone.
            }
        }
    }

    /// <summary>Runs a program to completion and returns its whole stdout as text (small outputs: ffprobe JSON).</summary>
    public static async Task<ProcessResult<string>> RunForTextAsync(
        string program, IReadOnlyList<string> arguments, string file, CancellationToken cancellationToken) =>
        await RunAsync(program, arguments, file, async (stream, ct) =>
        {
            using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
            return await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        }, cancellationToken, stopWhenRead: false).ConfigureAwait(false);

    /// <summary>ffmpeg's stderr as the tail of an error message (": ffmpeg says \"…\""), empty when it said nothing.</summary>
    public static string Detail(string standardError)
    {
        string text = standardError.Trim();
        return text.Length == 0 ? "" : $": ffmpeg says \"{(text.Length > 600 ? "…" + text[^600..] : text)}\"";
    }

    private static async Task WaitOrKillAsync(Process process, TimeSpan timeout)
    {
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await WaitAsync(process).ConfigureAwait(false);
        }
    }

    private static async Task WaitAsync(Process process)
    {
        try
        {
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Never started: nothing to wait for.
        }
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static void Kill(Process process, bool entireProcessTree = true)
    {
        try
        {
            process.Kill(entireProcessTree);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Exiting right now.
        }
    }

    /// <summary>Reads stderr to the end, keeping only the last 8 KiB (a broken file can make ffmpeg very chatty).</summary>
    private static async Task<string> ReadTailAsync(StreamReader reader)
    {
        const int Keep = 8192;
        var tail = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            tail.Append(buffer, 0, read);
            if (tail.Length > 2 * Keep)
            {
                tail.Remove(0, tail.Length - Keep);
            }
        }

        return tail.Length > Keep ? tail.ToString(tail.Length - Keep, Keep) : tail.ToString();
    }
}

/// <summary>What a child process produced.</summary>
/// <param name="Value">The stdout reader's result.</param>
/// <param name="ExitCode">The exit code; null when the child was stopped because its output was no longer needed.</param>
/// <param name="StandardError">The (tail of the) stderr text.</param>
internal sealed record ProcessResult<T>(T Value, int? ExitCode, string StandardError);

/// <summary>The stdout reader failed; carries ffmpeg's exit code and stderr for the error message.</summary>
internal sealed class ProcessOutputException(string message, int exitCode, string standardError, Exception inner)
    : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    public string StandardError { get; } = standardError;
}
