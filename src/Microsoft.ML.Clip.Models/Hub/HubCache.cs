namespace Microsoft.ML.Clip.Hub;

/// <summary>
/// One model's folder in the <c>huggingface_hub</c> cache:
/// <c>models--{org}--{name}/blobs/{etag}</c> (file contents), <c>refs/{revision}</c> (a commit hash),
/// <c>snapshots/{commit}/{file}</c> (symlinks to blobs, or copies where symlinks are not allowed) and
/// <c>.no_exist/{commit}/{file}</c> (markers for files known to be absent). Locks live in <c>.locks/models--…</c>.
/// </summary>
internal sealed class HubCache
{
    public HubCache(string cacheDirectory, HubModelId id)
    {
        Id = id;
        RepoFolder = Path.Combine(Path.GetFullPath(cacheDirectory), id.CacheFolderName);
        LocksFolder = Path.Combine(Path.GetFullPath(cacheDirectory), ".locks", id.CacheFolderName);
    }

    public HubModelId Id { get; }

    public string RepoFolder { get; }

    public string LocksFolder { get; }

    public string BlobPath(string etag) => Path.Combine(RepoFolder, "blobs", etag);

    public string SnapshotFolder(string commit) => Path.Combine(RepoFolder, "snapshots", commit);

    public string SnapshotFile(string commit, string file) => Path.Combine(SnapshotFolder(commit), ToNative(file));

    /// <summary>The commit a revision points to in the cache: the revision itself if it is a hash, else <c>refs/{revision}</c>.</summary>
    public string? ReadRef(string revision)
    {
        if (HubModelId.IsCommit(revision))
        {
            return revision;
        }

        string path = RefPath(revision);
        if (!File.Exists(path))
        {
            return null;
        }

        string commit = File.ReadAllText(path).Trim();
        return HubModelId.IsCommit(commit) ? commit : null;
    }

    /// <summary>Records that <paramref name="revision"/> points to <paramref name="commit"/> (atomic rename).</summary>
    public void WriteRef(string revision, string commit)
    {
        if (revision == commit || ReadRef(revision) == commit)
        {
            return;
        }

        string path = RefPath(revision);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, commit);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>True when the snapshot has the file (a dangling symlink does not count).</summary>
    public bool HasFile(string commit, string file) => File.Exists(SnapshotFile(commit, file));

    /// <summary>True when a previous online lookup found the file absent at this commit.</summary>
    public bool IsKnownMissing(string commit, string file) => File.Exists(Path.Combine(RepoFolder, ".no_exist", commit, ToNative(file)));

    /// <summary>Marks a file as absent at a commit (what <c>huggingface_hub</c> does after a 404).</summary>
    public void MarkMissing(string commit, string file)
    {
        string path = Path.Combine(RepoFolder, ".no_exist", commit, ToNative(file));
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
            }
        }
        catch (IOException)
        {
            // Only a hint for later lookups; another process may be writing the same marker.
        }
    }

    /// <summary>Makes <c>snapshots/{commit}/{file}</c> point at <c>blobs/{etag}</c>: a relative symlink, or a copy when links fail.</summary>
    public void LinkSnapshotFile(string commit, string file, string etag)
    {
        string pointer = SnapshotFile(commit, file);
        if (File.Exists(pointer))
        {
            return;
        }

        string blob = BlobPath(etag);
        string folder = Path.GetDirectoryName(pointer)!;
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(pointer)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.CreateSymbolicLink(temp, Path.GetRelativePath(folder, blob));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blob, temp, overwrite: true);
        }

        File.Move(temp, pointer, overwrite: true);
    }

    private string RefPath(string revision) => Path.Combine(RepoFolder, "refs", ToNative(revision));

    private static string ToNative(string relative) => relative.Replace('/', Path.DirectorySeparatorChar);
}
