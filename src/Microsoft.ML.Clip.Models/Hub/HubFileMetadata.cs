namespace Microsoft.ML.Clip.Hub;

/// <summary>What a HEAD request on <c>resolve/{revision}/{file}</c> tells: the commit, the blob ETag and the size.</summary>
/// <param name="Commit">The commit the revision resolved to (<c>X-Repo-Commit</c>).</param>
/// <param name="ETag">The blob id (<c>X-Linked-Etag</c> for LFS files — their SHA-256 — else <c>ETag</c>), unquoted.</param>
/// <param name="Size">The file size (<c>X-Linked-Size</c> or <c>Content-Length</c>), when given.</param>
/// <param name="DownloadUrl">Where to GET the content (the redirect target for LFS files, else the resolve URL).</param>
/// <param name="IsStorageRedirect">True when <paramref name="DownloadUrl"/> is a storage/CDN location the Hub redirected to: no token is sent there.</param>
internal sealed record HubFileMetadata(string Commit, string ETag, long? Size, string DownloadUrl, bool IsStorageRedirect);
