namespace Microsoft.ML.Clip.Hub;

/// <summary>
/// Where and how <see cref="HubModelResolver"/> finds models: the cache folder shared with Python's
/// <c>huggingface_hub</c>, the Hub endpoint, the access token and whether the network may be used.
/// </summary>
public sealed record HubOptions
{
    /// <summary>The public Hugging Face Hub.</summary>
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>The hub cache folder (holding <c>models--org--name</c> folders).</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>The Hub base address (<c>HF_ENDPOINT</c>); files are fetched from <c>{Endpoint}/{repo}/resolve/{revision}/{file}</c>.</summary>
    public string Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>The access token sent as <c>Authorization: Bearer</c> (<c>HF_TOKEN</c>), or null.</summary>
    public string? Token { get; init; }

    /// <summary>When true (<c>HF_HUB_OFFLINE=1</c>) the network is never used; only cached files are returned.</summary>
    public bool Offline { get; init; }

    /// <summary>How long to wait for a server's response headers (the body may take longer).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times an interrupted download is resumed before giving up.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>How long to wait for another process that is downloading the same file.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Reads the options the way <c>huggingface_hub</c> does: cache from <c>HF_HUB_CACHE</c>, else
    /// <c>HUGGINGFACE_HUB_CACHE</c>, else <c>HF_HOME/hub</c>, else <c>$XDG_CACHE_HOME/huggingface/hub</c>, else
    /// <c>~/.cache/huggingface/hub</c>; <c>HF_ENDPOINT</c>; <c>HF_TOKEN</c>, else the token file saved by
    /// <c>huggingface-cli login</c> (<c>HF_TOKEN_PATH</c>, else <c>HF_HOME/token</c>); <c>HF_HUB_OFFLINE</c> (1/ON/YES/TRUE).
    /// </summary>
    /// <param name="getVariable">Reads an environment variable; defaults to <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    public static HubOptions FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        string? Get(string name) => getVariable(name) is { Length: > 0 } value ? value : null;

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string hfHome = ExpandHome(Get("HF_HOME"), home)
            ?? Path.Combine(ExpandHome(Get("XDG_CACHE_HOME"), home) ?? Path.Combine(home, ".cache"), "huggingface");
        string cache = ExpandHome(Get("HF_HUB_CACHE"), home) ?? ExpandHome(Get("HUGGINGFACE_HUB_CACHE"), home) ?? Path.Combine(hfHome, "hub");

        string? token = Get("HF_TOKEN") ?? Get("HUGGING_FACE_HUB_TOKEN");
        if (token is null)
        {
            string tokenPath = ExpandHome(Get("HF_TOKEN_PATH"), home) ?? Path.Combine(hfHome, "token");
            if (File.Exists(tokenPath))
            {
                token = File.ReadAllText(tokenPath).Trim() is { Length: > 0 } saved ? saved : null;
            }
        }

        return new HubOptions
        {
            CacheDirectory = cache,
            Endpoint = (Get("HF_ENDPOINT") ?? DefaultEndpoint).TrimEnd('/'),
            Token = token,
            Offline = IsTrue(Get("HF_HUB_OFFLINE")) || IsTrue(Get("TRANSFORMERS_OFFLINE")),
        };
    }

    private static bool IsTrue(string? value) =>
        value is not null && value.Trim().ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";

    private static string? ExpandHome(string? path, string home) =>
        path is null ? null
        : path == "~" ? home
        : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..])
        : path;
}
