namespace Microsoft.ML.Clip.Cli.Output;

/// <summary>
/// An exclusive lock on an output file for one writer: the lock file <c>&lt;output&gt;.lock</c> beside it (or any lock
/// file: a dataset shard's), opened with
/// <see cref="FileShare.None"/> (an OS lock, released if the process dies), held while the output, its temporary
/// files and its side files are read and rewritten. A second writer fails at once with a message naming the file.
/// The lock file is removed on release.
/// </summary>
/// <remarks>
/// Removing the lock file could let a writer lock a file that was just unlinked while a third locks the new one. So the
/// holder stamps the file it locked with a random modification time (through its handle) and reads the time back
/// through the path (a stat, which the OS lock does not block): only when the path shows its stamp is the lock its
/// own; otherwise it tries again.
/// </remarks>
internal sealed class OutputLock : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;

    private OutputLock(FileStream stream, string path)
    {
        _stream = stream;
        _path = path;
    }

    /// <summary>The lock file of an output.</summary>
    /// <param name="output">The output file.</param>
    public static string LockPathOf(string output) => Path.GetFullPath(output) + ".lock";

    /// <summary>Takes the lock of <paramref name="output"/> or fails.</summary>
    /// <param name="output">The output file.</param>
    /// <param name="command">The command line that writes it, for the message (e.g. <c>clip embed</c>).</param>
    /// <exception cref="IOException">Another writer holds the lock.</exception>
    public static OutputLock Acquire(string output, string command)
    {
        string path = LockPathOf(output);
        return AcquireFile(path, () =>
            $"'{output}' is being written by another '{command}' (it holds the lock '{path}'); wait for it to finish or choose another output. "
            + "If no other run is going on, delete the lock file.");
    }

    /// <summary>Takes the lock file <paramref name="path"/> (created if missing, removed on release) or fails.</summary>
    /// <param name="path">The lock file.</param>
    /// <param name="busyMessage">The message when another process holds it: what is being written and what to do.</param>
    /// <exception cref="IOException">Another process holds the lock; the message is <paramref name="busyMessage"/>'s.</exception>
    public static OutputLock AcquireFile(string path, Func<string> busyMessage)
    {
        ArgumentNullException.ThrowIfNull(busyMessage);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (File.Exists(path))
            {
                throw new IOException(busyMessage(), e);
            }

            if (IsStillAt(stream, path))
            {
                return new OutputLock(stream, path);
            }

            // The file we locked was removed by its previous holder after we opened it: lock the current one.
            stream.Dispose();
        }

        throw new IOException($"Could not take the lock '{path}': it keeps being replaced.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        _stream.Dispose();
    }

    private static bool IsStillAt(FileStream stream, string path)
    {
        // A random time within ten years of 2001, at the file system's resolution as read back through the handle.
        DateTime stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(Random.Shared.NextInt64(TimeSpan.TicksPerDay * 3650));
        File.SetLastWriteTimeUtc(stream.SafeFileHandle, stamp);
        DateTime mine = File.GetLastWriteTimeUtc(stream.SafeFileHandle);
        return File.Exists(path) && File.GetLastWriteTimeUtc(path) == mine;
    }
}
