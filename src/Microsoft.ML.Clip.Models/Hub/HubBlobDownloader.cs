using System.Net;
using System.Security.Cryptography;

namespace Microsoft.ML.Clip.Hub;

/// <summary>
/// Downloads one file into <c>blobs/{etag}</c>: under a cross-process lock, into <c>blobs/{etag}.incomplete</c>
/// (resumed with a Range request after an interruption), checked against the size and — for LFS files, whose ETag
/// is the content's SHA-256 — the hash, then renamed into place. A rejected download leaves nothing in the cache.
/// </summary>
internal sealed class HubBlobDownloader
{
    private const int BufferSize = 1 << 20;
    private readonly HubHttpClient _http;
    private readonly HubOptions _options;

    public HubBlobDownloader(HubHttpClient http, HubOptions options)
    {
        _http = http;
        _options = options;
    }

    /// <summary>Makes sure <c>blobs/{etag}</c> exists, downloading it if needed.</summary>
    public async Task EnsureBlobAsync(HubCache cache, string file, HubFileMetadata metadata, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string blob = cache.BlobPath(metadata.ETag);
        if (File.Exists(blob))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        using FileLock fileLock = await FileLock.AcquireAsync(Path.Combine(cache.LocksFolder, metadata.ETag + ".lock"), _options.LockTimeout, cancellationToken).ConfigureAwait(false);
        if (File.Exists(blob))
        {
            // Another process finished it while we waited for the lock.
            return;
        }

        string incomplete = blob + ".incomplete";
        await DownloadAsync(cache, file, metadata, incomplete, progress, cancellationToken).ConfigureAwait(false);
        await VerifyAsync(cache, file, metadata, incomplete, cancellationToken).ConfigureAwait(false);
        File.Move(incomplete, blob, overwrite: true);
    }

    private async Task DownloadAsync(HubCache cache, string file, HubFileMetadata metadata, string incomplete, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            long offset = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
            if (metadata.Size is long size && offset >= size)
            {
                if (offset == size)
                {
                    return;
                }

                File.Delete(incomplete);
                offset = 0;
            }

            try
            {
                using HttpResponseMessage response = await _http.GetAsync(metadata.DownloadUrl, offset, !metadata.IsStorageRedirect, cache.Id, file, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                {
                    // Our partial file does not fit the server's: start over.
                    File.Delete(incomplete);
                    continue;
                }

                bool resumed = offset > 0 && response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == offset;
                if (!resumed)
                {
                    offset = 0;
                }

                long? total = metadata.Size ?? (response.Content.Headers.ContentLength is long length ? length + offset : null);
                using (var output = new FileStream(incomplete, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize))
                using (Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
                {
                    var buffer = new byte[BufferSize];
                    long lastReport = -1;
                    progress?.Report(new HubDownloadProgress(file, offset, total));
                    int read;
                    while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        offset += read;
                        if (offset - lastReport >= 4 * BufferSize)
                        {
                            progress?.Report(new HubDownloadProgress(file, offset, total));
                            lastReport = offset;
                        }
                    }
                }

                progress?.Report(new HubDownloadProgress(file, offset, total));
                if (metadata.Size is long expected && offset < expected)
                {
                    throw new IOException($"The connection closed after {offset} of {expected} bytes of '{file}'.");
                }

                return;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken) && attempt < _options.MaxRetries)
            {
                // Interrupted: keep the partial file and resume from its end.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * (1 << attempt), 5000)), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                throw new HubRequestException(
                    $"Downloading '{file}' of '{cache.Id}' failed {attempt + 1} times ({e.Message}). The partial file is kept and the next run resumes it.",
                    metadata.DownloadUrl, null, inner: e);
            }
        }
    }

    private static async Task VerifyAsync(HubCache cache, string file, HubFileMetadata metadata, string incomplete, CancellationToken cancellationToken)
    {
        long actualSize = new FileInfo(incomplete).Length;
        if (metadata.Size is long size && actualSize != size)
        {
            File.Delete(incomplete);
            throw new InvalidDataException($"Downloaded '{file}' of '{cache.Id}' has {actualSize} bytes, but the Hub said {size}. It was deleted; try again.");
        }

        if (!HubPaths.IsSha256(metadata.ETag))
        {
            return; // A git (non-LFS) file: its ETag is a git blob id, not a content hash we can check here.
        }

        string actual;
        await using (var stream = new FileStream(incomplete, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true))
        {
            actual = Convert.ToHexString(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false)).ToLowerInvariant();
        }

        if (actual != metadata.ETag)
        {
            File.Delete(incomplete);
            throw new InvalidDataException(
                $"Downloaded '{file}' of '{cache.Id}' is corrupt: its SHA-256 is {actual} but the Hub's ETag says {metadata.ETag}. It was deleted and nothing was added to the cache; try again, and check HF_ENDPOINT if it repeats.");
        }
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        HubRequestException hub => hub.StatusCode is null || (int)hub.StatusCode >= 500,
        IOException or HttpRequestException => true,
        _ => false,
    };
}
