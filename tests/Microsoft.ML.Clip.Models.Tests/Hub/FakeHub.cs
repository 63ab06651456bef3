using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Microsoft.ML.Clip.Tests.Hub;

/// <summary>
/// A tiny Hugging Face Hub on 127.0.0.1 for one repository: HEAD/GET <c>/{repo}/resolve/{revision}/{file}</c> with
/// <c>X-Repo-Commit</c> and <c>ETag</c>; LFS files redirect (302) to <c>/cdn/{sha256}</c> with <c>X-Linked-Etag</c>
/// and <c>X-Linked-Size</c>, as the real Hub does; Range requests are honoured. Faults can be injected.
/// </summary>
internal sealed class FakeHub : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Dictionary<string, byte[]> _files;
    private readonly HashSet<string> _lfs;
    private readonly Dictionary<string, byte[]> _blobsBySha = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, bool> _dropped = new();

    public FakeHub(string repoId, IDictionary<string, byte[]> files, params string[] lfsFiles)
    {
        RepoId = repoId;
        _files = new Dictionary<string, byte[]>(files);
        _lfs = new HashSet<string>(lfsFiles);
        foreach (string lfs in _lfs)
        {
            _blobsBySha[Sha256(_files[lfs])] = _files[lfs];
        }

        (_listener, Endpoint) = Listen();
        _loop = Task.Run(ServeAsync);
    }

    public string RepoId { get; }

    public string Commit { get; } = "0123456789abcdef0123456789abcdef01234567";

    public string Endpoint { get; }

    /// <summary>When set, requests without <c>Authorization: Bearer {token}</c> get 401.</summary>
    public string? RequiredToken { get; init; }

    /// <summary>For these files, the first GET sends only this many bytes and then drops the connection.</summary>
    public Dictionary<string, int> DropAfterBytes { get; } = new();

    /// <summary>For these files, HEAD advertises this (wrong) SHA-256 ETag.</summary>
    public Dictionary<string, string> AdvertisedSha { get; } = new();

    /// <summary>A former name of the repository: its URLs answer with a relative 307 redirect to the current name.</summary>
    public string? RenamedFrom { get; init; }

    /// <summary>Every request: "METHOD path [range] [auth]".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    public static string GitSha1(byte[] data) =>
        Convert.ToHexString(SHA1.HashData(Encoding.ASCII.GetBytes($"blob {data.Length}\0").Concat(data).ToArray())).ToLowerInvariant();

    public void Dispose()
    {
        // Close() alone: it stops listening too. Stop() then Close() made the managed (Linux) listener look up its
        // endpoint again after Stop() had removed it, which binds the port anew and can throw "Address already in use".
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    /// <summary>
    /// Listens on a free loopback port. The port is found by binding port 0 and releasing it, so another process (or a
    /// test running in parallel) can take it before the listener binds it: then another port is tried.
    /// </summary>
    private static (HttpListener Listener, string Endpoint) Listen()
    {
        for (int attempt = 1; ; attempt++)
        {
            string endpoint = $"http://127.0.0.1:{FreePort()}";
            var listener = new HttpListener();
            listener.Prefixes.Add(endpoint + "/");
            try
            {
                listener.Start();
                return (listener, endpoint);
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                listener.Close();   // the port was taken meanwhile
            }
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Handle(context));
        }
    }

    private void Handle(HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        HttpListenerResponse response = context.Response;
        string path = request.Url!.AbsolutePath;
        Requests.Enqueue($"{request.HttpMethod} {path} {request.Headers["Range"]} {request.Headers["Authorization"]}".TrimEnd());
        try
        {
            // Like the real Hub, storage (CDN) URLs are signed and need no token; resolve URLs do.
            if (RequiredToken is not null && !path.StartsWith("/cdn/", StringComparison.Ordinal) && request.Headers["Authorization"] != $"Bearer {RequiredToken}")
            {
                response.StatusCode = 401;
                response.AddHeader("X-Error-Code", "RepoNotFound");
                response.AddHeader("X-Error-Message", "Invalid username or password.");
                response.Close();
                return;
            }

            if (path.StartsWith("/cdn/", StringComparison.Ordinal) && _blobsBySha.TryGetValue(path[5..], out byte[]? blob))
            {
                string file = _files.First(f => f.Value == blob).Key;
                SendBody(request, response, file, blob);
                return;
            }

            string prefix = $"/{RepoId}/resolve/";
            if (RenamedFrom is not null && path.StartsWith($"/{RenamedFrom}/resolve/", StringComparison.Ordinal))
            {
                response.StatusCode = 307;
                response.AddHeader("Location", $"/{RepoId}/resolve/{path[$"/{RenamedFrom}/resolve/".Length..]}");
                response.Close();
                return;
            }

            if (!path.StartsWith(prefix, StringComparison.Ordinal))
            {
                response.StatusCode = 404;
                response.AddHeader("X-Error-Code", "RepoNotFound");
                response.Close();
                return;
            }

            string rest = Uri.UnescapeDataString(path[prefix.Length..]);
            string revision = rest[..rest.IndexOf('/')];
            string name = rest[(revision.Length + 1)..];
            if (revision != "main" && revision != Commit)
            {
                response.StatusCode = 404;
                response.AddHeader("X-Error-Code", "RevisionNotFound");
                response.Close();
                return;
            }

            if (!_files.TryGetValue(name, out byte[]? content))
            {
                response.StatusCode = 404;
                response.AddHeader("X-Error-Code", "EntryNotFound");
                response.Close();
                return;
            }

            response.AddHeader("X-Repo-Commit", Commit);
            if (_lfs.Contains(name))
            {
                string sha = Sha256(content);
                response.StatusCode = 302;
                response.RedirectLocation = $"{Endpoint}/cdn/{sha}";
                response.AddHeader("X-Linked-Etag", $"\"{(AdvertisedSha.TryGetValue(name, out string? wrong) ? wrong : sha)}\"");
                response.AddHeader("X-Linked-Size", content.Length.ToString());
                response.AddHeader("ETag", $"\"{GitSha1(content)}\"");
                response.Close();
                return;
            }

            response.AddHeader("ETag", $"\"{GitSha1(content)}\"");
            SendBody(request, response, name, content);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away.
        }
    }

    private void SendBody(HttpListenerRequest request, HttpListenerResponse response, string file, byte[] content)
    {
        int start = 0;
        string? range = request.Headers["Range"];
        if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            start = int.Parse(range[6..^1]);
            if (start >= content.Length)
            {
                response.StatusCode = 416;
                response.Close();
                return;
            }

            response.StatusCode = 206;
            response.AddHeader("Content-Range", $"bytes {start}-{content.Length - 1}/{content.Length}");
        }

        response.ContentLength64 = content.Length - start;
        if (request.HttpMethod == "HEAD")
        {
            response.Close();
            return;
        }

        if (DropAfterBytes.TryGetValue(file, out int cut) && _dropped.TryAdd(file, true))
        {
            response.OutputStream.Write(content, start, cut);
            response.OutputStream.Flush();
            response.Abort();
            return;
        }

        response.OutputStream.Write(content, start, content.Length - start);
        response.Close();
    }
}
