namespace Microsoft.ML.Clip.Hub;

/// <summary>
/// A cross-process lock on a file, held by opening it with <see cref="FileShare.None"/> (an exclusive OS lock);
/// acquisition retries until a timeout. The lock file itself stays (as with Python's <c>filelock</c>).
/// </summary>
internal sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    public static async Task<FileLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        DateTime deadline = DateTime.UtcNow + timeout;
        int delay = 20;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another process (or thread) holds it: wait and retry.
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 500);
            }
            catch (IOException e)
            {
                throw new IOException($"Timed out after {timeout} waiting for the lock '{path}', held by another download of the same file. If no other download is running, delete the lock file.", e);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
