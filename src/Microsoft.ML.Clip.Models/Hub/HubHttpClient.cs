using System.Net;
using System.Net.Http.Headers;

namespace Microsoft.ML.Clip.Hub;

/// <summary>
/// The HTTP side of the Hub protocol as <c>huggingface_hub</c> uses it: HEAD <c>{endpoint}/{repo}/resolve/{revision}/{file}</c>
/// for metadata (following only relative redirects), GET with a <c>Range</c> to resume, a bearer token that is not
/// forwarded to other hosts, and errors that say how to fix them.
/// </summary>
internal sealed class HubHttpClient : IDisposable
{
    private const int MaxRedirects = 10;
    private readonly HttpClient _client;
    private readonly HubOptions _options;

    public HubHttpClient(HubOptions options)
    {
        _options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = options.RequestTimeout,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("Microsoft.ML.Clip/1.0");
    }

    public string ResolveUrl(HubModelId id, string revision, string file) =>
        $"{_options.Endpoint.TrimEnd('/')}/{id.RepoId}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}";

    /// <summary>Reads a file's metadata; throws <see cref="HubRequestException"/> on HTTP errors (check <see cref="HubRequestException.IsEntryNotFound"/>).</summary>
    public async Task<HubFileMetadata> HeadAsync(HubModelId id, string revision, string file, CancellationToken cancellationToken)
    {
        string url = ResolveUrl(id, revision, file);
        for (int redirect = 0; ; redirect++)
        {
            using HttpResponseMessage response = await SendAsync(HttpMethod.Head, url, null, cancellationToken).ConfigureAwait(false);
            string? location = response.Headers.Location?.ToString();
            bool isRedirect = (int)response.StatusCode is >= 300 and < 400 && location is not null;
            if (isRedirect && !Uri.IsWellFormedUriString(location, UriKind.Absolute) && redirect < MaxRedirects)
            {
                // Relative redirect (a renamed repository): follow it, like huggingface_hub.
                url = new Uri(new Uri(url), location!).ToString();
                continue;
            }

            if (!isRedirect)
            {
                ThrowIfFailed(response, url, id, file);
            }

            string? commit = Header(response, "X-Repo-Commit");
            string? etag = NormalizeETag(Header(response, "X-Linked-Etag") ?? Header(response, "ETag") ?? response.Headers.ETag?.Tag);
            if (commit is null || etag is null)
            {
                throw new HubRequestException(
                    $"The server at {_options.Endpoint} did not send the X-Repo-Commit and ETag headers for '{file}' of '{id.RepoId}'. Is HF_ENDPOINT a Hugging Face Hub (or a mirror that forwards these headers)?",
                    url, response.StatusCode);
            }

            if (!HubModelId.IsCommit(commit) || !HubPaths.IsSafeBlobName(etag))
            {
                throw new HubRequestException($"The server sent an invalid commit '{commit}' or ETag '{etag}' for '{file}' of '{id.RepoId}'.", url, response.StatusCode);
            }

            long? size = long.TryParse(Header(response, "X-Linked-Size"), out long linked) ? linked : response.Content.Headers.ContentLength;
            string downloadUrl = isRedirect ? new Uri(new Uri(url), location!).ToString() : url;
            return new HubFileMetadata(commit, etag, size, downloadUrl, IsStorageRedirect: isRedirect);
        }
    }

    /// <summary>
    /// GETs <paramref name="url"/> from byte <paramref name="offset"/> (a Range request when &gt; 0), following redirects.
    /// The token is sent only to the Hub endpoint itself, never to a storage/CDN host (as <c>huggingface_hub</c>
    /// drops it for LFS blobs).
    /// </summary>
    /// <param name="url">The file's <see cref="HubFileMetadata.DownloadUrl"/>.</param>
    /// <param name="offset">The first byte wanted.</param>
    /// <param name="sendToken">False for a storage URL the Hub redirected to (LFS blobs).</param>
    /// <param name="id">The model, for messages.</param>
    /// <param name="file">The file, for messages.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<HttpResponseMessage> GetAsync(string url, long offset, bool sendToken, HubModelId id, string file, CancellationToken cancellationToken)
    {
        string endpoint = new Uri(_options.Endpoint).GetLeftPart(UriPartial.Authority);
        for (int redirect = 0; ; redirect++)
        {
            bool toEndpoint = sendToken && redirect == 0 && new Uri(url).GetLeftPart(UriPartial.Authority) == endpoint;
            HttpResponseMessage response = await SendAsync(HttpMethod.Get, url, offset > 0 ? offset : null, cancellationToken, sendToken: toEndpoint).ConfigureAwait(false);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is Uri location && redirect < MaxRedirects)
            {
                url = new Uri(new Uri(url), location).ToString();
                response.Dispose();
                continue;
            }

            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                return response;
            }

            try
            {
                ThrowIfFailed(response, url, id, file);
            }
            catch
            {
                response.Dispose();
                throw;
            }

            return response;
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, long? rangeStart, CancellationToken cancellationToken, bool sendToken = true)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        if (sendToken && _options.Token is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (rangeStart is long start)
        {
            request.Headers.Range = new RangeHeaderValue(start, null);
        }

        // The timeout covers the response headers only; a large body may take as long as it needs.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HubRequestException($"{method} {url} got no response within {_options.RequestTimeout.TotalSeconds:0} s. Check the network, or set HF_HUB_OFFLINE=1 to use only cached files.", url, null, inner: e) { IsUnreachable = true };
        }
        catch (HttpRequestException e)
        {
            throw new HubRequestException($"{method} {url} failed: {e.Message}. Check the network and HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only cached files.", url, null, inner: e) { IsUnreachable = true };
        }
    }

    private void ThrowIfFailed(HttpResponseMessage response, string url, HubModelId id, string file)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? errorCode = Header(response, "X-Error-Code");
        string? serverMessage = Header(response, "X-Error-Message");
        string detail = serverMessage is null ? string.Empty : $" The Hub said: {serverMessage}";
        string tokenState = _options.Token is null ? "No token was sent" : "A token was sent but was not accepted";
        string message = (response.StatusCode, errorCode) switch
        {
            (HttpStatusCode.Unauthorized, _) or (_, "GatedRepo") =>
                $"401 Unauthorized for '{file}' of '{id.RepoId}' ({url}). {tokenState}: the repository is private or gated, or does not exist. Set HF_TOKEN (or HubOptions.Token, or run `huggingface-cli login`) to a token with access, and accept the model's terms on its Hub page if it is gated.{detail}",
            (HttpStatusCode.Forbidden, _) =>
                $"403 Forbidden for '{file}' of '{id.RepoId}' ({url}). The token does not grant access; accept the model's terms on its Hub page or use a token with read access.{detail}",
            (HttpStatusCode.NotFound, "RepoNotFound") =>
                $"The repository '{id.RepoId}' was not found at {_options.Endpoint} ({url}). Check the id; if it is private, set HF_TOKEN.{detail}",
            (HttpStatusCode.NotFound, "RevisionNotFound") =>
                $"The revision '{id.Revision}' of '{id.RepoId}' was not found ({url}). Check the branch, tag or commit after '@'.{detail}",
            (HttpStatusCode.NotFound, _) =>
                $"The file '{file}' does not exist in '{id}' (404 from {url}).{detail}",
            _ => $"{(int)response.StatusCode} {response.ReasonPhrase} for '{file}' of '{id.RepoId}' ({url}).{detail}",
        };
        throw new HubRequestException(message, url, response.StatusCode, errorCode);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    /// <summary>Strips a weak marker and quotes: <c>W/"abc"</c> → <c>abc</c>.</summary>
    internal static string? NormalizeETag(string? etag)
    {
        if (etag is null)
        {
            return null;
        }

        string value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        value = value.Trim('"');
        return value.Length == 0 ? null : value;
    }
}
