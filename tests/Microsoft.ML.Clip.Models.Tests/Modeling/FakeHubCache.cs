namespace Microsoft.ML.Clip.Tests.Modeling;

/// <summary>A temporary Hugging Face cache (<c>models--org--name/refs/main</c> + <c>snapshots/&lt;commit&gt;/</c>) holding copies of fixture files.</summary>
internal sealed class FakeHubCache : IDisposable
{
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    public FakeHubCache(string repoId, string sourceFolder, params string[] files)
    {
        Directory = Path.Combine(Path.GetTempPath(), "clip-hub-" + Guid.NewGuid().ToString("N"));
        string repo = Path.Combine(Directory, "models--" + repoId.Replace("/", "--", StringComparison.Ordinal));
        string snapshot = Path.Combine(repo, "snapshots", Commit);
        System.IO.Directory.CreateDirectory(snapshot);
        System.IO.Directory.CreateDirectory(Path.Combine(repo, "refs"));
        File.WriteAllText(Path.Combine(repo, "refs", "main"), Commit);
        foreach (string file in files)
        {
            File.Copy(Path.Combine(sourceFolder, file), Path.Combine(snapshot, file));
        }
    }

    public string Directory { get; }

    public Microsoft.ML.Clip.Hub.HubOptions Options => new() { CacheDirectory = Directory, Offline = true };

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A mapped file may still be open on some platforms; the temp folder is cleaned up later.
        }
    }
}
