using Microsoft.ML.Clip.Checkpoints;

namespace Microsoft.ML.Clip.Hub;

/// <summary>
/// Turns a model id such as <c>microsoft/xclip-base-patch32</c> or <c>BAAI/AltCLIP@main</c> into a local folder
/// holding its files, sharing Python's <c>huggingface_hub</c> cache (a model downloaded by either is reused by the
/// other). A local folder path is returned as is.
/// </summary>
/// <remarks>
/// Online, each wanted file is looked up with a HEAD request (the first revision lookup pins the commit, so all files
/// come from one snapshot) and downloaded only if its blob is not cached. Offline (<see cref="HubOptions.Offline"/>,
/// <c>HF_HUB_OFFLINE=1</c>) the network is never used. If the Hub cannot be reached, cached files are used as
/// <c>huggingface_hub</c> does.
/// </remarks>
public static class HubModelResolver
{
    /// <summary>Resolves a model id (downloading what is missing) or a local folder to a local folder.</summary>
    /// <param name="idOrPath">A local folder, or <c>org/name</c> with an optional <c>@revision</c>.</param>
    /// <param name="files">The files needed; defaults to <see cref="HubFileGroup.DefaultModelFiles"/>.</param>
    /// <param name="options">Cache, endpoint, token, offline mode; defaults to <see cref="HubOptions.FromEnvironment"/>.</param>
    /// <param name="progress">Receives download progress (per file, bytes so far and total).</param>
    /// <param name="cancellationToken">Cancels the downloads (partial files are kept and resumed next time).</param>
    /// <returns>The folder (for a Hub id, <c>{cache}/models--org--name/snapshots/{commit}</c>).</returns>
    /// <exception cref="FileNotFoundException">A required file is not in the cache (offline) or not in the repository.</exception>
    /// <exception cref="HubRequestException">The Hub refused a request (401, 404 repository, …) or could not be reached.</exception>
    /// <exception cref="InvalidDataException">A download did not match its SHA-256; nothing was cached.</exception>
    public static string Resolve(
        string idOrPath,
        IReadOnlyList<HubFileGroup>? files = null,
        HubOptions? options = null,
        IProgress<HubDownloadProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        ResolveAsync(idOrPath, files, options, progress, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Asynchronous <see cref="Resolve"/>.</summary>
    /// <param name="idOrPath">A local folder, or <c>org/name</c> with an optional <c>@revision</c>.</param>
    /// <param name="files">The files needed; defaults to <see cref="HubFileGroup.DefaultModelFiles"/>.</param>
    /// <param name="options">Cache, endpoint, token, offline mode; defaults to <see cref="HubOptions.FromEnvironment"/>.</param>
    /// <param name="progress">Receives download progress.</param>
    /// <param name="cancellationToken">Cancels the downloads.</param>
    /// <returns>The local folder.</returns>
    public static async Task<string> ResolveAsync(
        string idOrPath,
        IReadOnlyList<HubFileGroup>? files = null,
        HubOptions? options = null,
        IProgress<HubDownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idOrPath);
        if (Directory.Exists(idOrPath))
        {
            return Path.GetFullPath(idOrPath);
        }

        if (LooksLikeLocalPath(idOrPath))
        {
            throw new DirectoryNotFoundException($"The model folder '{Path.GetFullPath(idOrPath)}' does not exist.");
        }

        if (!HubModelId.TryParse(idOrPath, out HubModelId? id, out string? error))
        {
            throw new DirectoryNotFoundException(error);
        }

        files ??= HubFileGroup.DefaultModelFiles;
        options ??= HubOptions.FromEnvironment();
        var cache = new HubCache(options.CacheDirectory, id);
        if (options.Offline)
        {
            return ResolveOffline(cache, files, null);
        }

        try
        {
            return await ResolveOnlineAsync(cache, files, options, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (HubRequestException e) when (e.IsUnreachable && !cancellationToken.IsCancellationRequested)
        {
            // The Hub is unreachable: fall back to the cache, as huggingface_hub does.
            return ResolveOffline(cache, files, e);
        }
    }

    private static string ResolveOffline(HubCache cache, IReadOnlyList<HubFileGroup> files, Exception? networkError)
    {
        HubModelId id = cache.Id;
        string why = networkError is null ? "HF_HUB_OFFLINE is set" : $"the Hub could not be reached ({networkError.Message})";
        string? commit = cache.ReadRef(id.Revision);
        if (commit is null || !Directory.Exists(cache.SnapshotFolder(commit)))
        {
            throw new FileNotFoundException(
                $"'{id}' is not in the Hugging Face cache '{Path.GetDirectoryName(cache.RepoFolder)}' (no snapshot for revision '{id.Revision}'), and {why}. "
                + $"Download it first (`huggingface-cli download {id.RepoId}{RevisionArgument(id)}`), unset HF_HUB_OFFLINE, or pass a local folder.",
                cache.RepoFolder, networkError);
        }

        foreach (HubFileGroup group in files)
        {
            string? found = group.Candidates.FirstOrDefault(name => cache.HasFile(commit, name));
            if (found is null)
            {
                if (group.IsRequired)
                {
                    throw new FileNotFoundException(
                        $"'{id}' in the Hugging Face cache ({cache.SnapshotFolder(commit)}) has none of: {string.Join(", ", group.Candidates)}; {why}. "
                        + $"Download it (`huggingface-cli download {id.RepoId} {group.Candidates[0]}{RevisionArgument(id)}`) or unset HF_HUB_OFFLINE.",
                        group.Candidates[0], networkError);
                }

                continue;
            }

            if (found.EndsWith(".index.json", StringComparison.Ordinal))
            {
                foreach (string shard in ShardTensorStoreNames(cache.SnapshotFile(commit, found), found))
                {
                    if (!cache.HasFile(commit, shard))
                    {
                        throw new FileNotFoundException(
                            $"'{id}' in the Hugging Face cache lacks the shard '{shard}' listed in '{found}'; {why}. Download it (`huggingface-cli download {id.RepoId} {shard}{RevisionArgument(id)}`) or unset HF_HUB_OFFLINE.",
                            shard, networkError);
                    }
                }
            }
        }

        return cache.SnapshotFolder(commit);
    }

    private static async Task<string> ResolveOnlineAsync(HubCache cache, IReadOnlyList<HubFileGroup> files, HubOptions options, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        HubModelId id = cache.Id;
        using var http = new HubHttpClient(options);
        var downloader = new HubBlobDownloader(http, options);

        // Until the first response, requests use the revision; afterwards the commit it resolved to.
        string? commit = id.IsCommitHash ? id.Revision : null;
        foreach (HubFileGroup group in files)
        {
            string? found = null;
            foreach (string name in group.Candidates)
            {
                if (commit is not null && cache.HasFile(commit, name))
                {
                    found = name;
                    break;
                }

                if (commit is not null && cache.IsKnownMissing(commit, name))
                {
                    continue;
                }

                HubFileMetadata metadata;
                try
                {
                    metadata = await http.HeadAsync(id, commit ?? id.Revision, name, cancellationToken).ConfigureAwait(false);
                }
                catch (HubRequestException e) when (e.IsEntryNotFound)
                {
                    if (commit is not null)
                    {
                        cache.MarkMissing(commit, name);
                    }

                    continue;
                }

                commit ??= metadata.Commit;
                await FetchAsync(cache, commit, name, metadata, downloader, progress, cancellationToken).ConfigureAwait(false);
                cache.WriteRef(id.Revision, commit);
                found = name;
                break;
            }

            if (found is null)
            {
                if (group.IsRequired)
                {
                    throw new FileNotFoundException(
                        $"'{id}' has none of: {string.Join(", ", group.Candidates)} (404 from {options.Endpoint}). Is it a model of the expected kind, and is the revision right?",
                        group.Candidates[0]);
                }

                continue;
            }

            if (found.EndsWith(".index.json", StringComparison.Ordinal))
            {
                foreach (string shard in ShardTensorStoreNames(cache.SnapshotFile(commit!, found), found))
                {
                    if (!cache.HasFile(commit!, shard))
                    {
                        HubFileMetadata metadata = await http.HeadAsync(id, commit!, shard, cancellationToken).ConfigureAwait(false);
                        await FetchAsync(cache, commit!, shard, metadata, downloader, progress, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        if (commit is null)
        {
            throw new FileNotFoundException($"None of the requested files exist in '{id}'.", id.RepoId);
        }

        Directory.CreateDirectory(cache.SnapshotFolder(commit));
        return cache.SnapshotFolder(commit);
    }

    private static async Task FetchAsync(HubCache cache, string commit, string file, HubFileMetadata metadata, HubBlobDownloader downloader, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (metadata.Commit != commit)
        {
            throw new HubRequestException(
                $"'{file}' of '{cache.Id}' resolved to commit {metadata.Commit}, but other files came from {commit}: the revision moved during the download. Run again, or pin a commit with '@<hash>'.",
                metadata.DownloadUrl, null);
        }

        await downloader.EnsureBlobAsync(cache, file, metadata, progress, cancellationToken).ConfigureAwait(false);
        cache.LinkSnapshotFile(commit, file, metadata.ETag);
    }

    private static IReadOnlyList<string> ShardTensorStoreNames(string indexPath, string indexName)
    {
        string? folder = indexName.Contains('/') ? indexName[..(indexName.LastIndexOf('/') + 1)] : string.Empty;
        return ShardedTensorStore.ReadShardFileNames(indexPath).Select(shard => folder + shard).ToArray();
    }

    private static string RevisionArgument(HubModelId id) => id.Revision == HubModelId.DefaultRevision ? string.Empty : $" --revision {id.Revision}";

    /// <summary>
    /// Whether <paramref name="text"/> can only be a local path, never a Hub id: it starts with <c>.</c> or <c>~</c>, is
    /// rooted, has a backslash, or has more than one <c>/</c>.
    /// </summary>
    /// <param name="text">A model folder or Hub id.</param>
    /// <returns><see langword="true"/> for a path.</returns>
    public static bool LooksLikeLocalPath(string text) =>
        text.StartsWith('.') || text.StartsWith('~') || Path.IsPathRooted(text) || text.Contains('\\') || text.Count(c => c == '/') > 1;
}
