using System.Collections.Concurrent;
using System.Net;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Hub;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Tests.Checkpoints;

namespace Microsoft.ML.Clip.Tests.Hub;

[TestClass]
public sealed class HubDownloadTests
{
    private const string Repo = "tiny-org/xclip-tiny";

    private static readonly HubFileGroup[] ModelFiles =
    {
        HubFileGroup.Required("config.json"),
        HubFileGroup.Weights,
        HubFileGroup.Optional("preprocessor_config.json"),
    };

    [TestMethod]
    public void DownloadsOnlyNeededFilesIntoThePythonCacheLayout()
    {
        using var hub = NewHub();
        string cache = TestFiles.NewFolder();
        try
        {
            var progress = new RecordingProgress();
            string folder = HubModelResolver.Resolve(Repo, ModelFiles, Options(hub, cache), progress);

            string repoFolder = Path.Combine(cache, "models--tiny-org--xclip-tiny");
            Assert.AreEqual(Path.Combine(repoFolder, "snapshots", hub.Commit), folder);
            Assert.AreEqual(hub.Commit, File.ReadAllText(Path.Combine(repoFolder, "refs", "main")));

            byte[] weights = File.ReadAllBytes(Fixture("model.safetensors"));
            string sha = FakeHub.Sha256(weights);
            CollectionAssert.AreEqual(weights, File.ReadAllBytes(Path.Combine(repoFolder, "blobs", sha)));
            var link = new FileInfo(Path.Combine(folder, "model.safetensors"));
            if (!OperatingSystem.IsWindows())
            {
                // Snapshot files are relative symlinks into blobs/, exactly as huggingface_hub makes them.
                Assert.AreEqual(Path.Combine("..", "..", "blobs", sha), link.LinkTarget);
            }

            CollectionAssert.AreEqual(File.ReadAllBytes(Fixture("config.json")), File.ReadAllBytes(Path.Combine(folder, "config.json")));
            Assert.IsFalse(File.Exists(Path.Combine(folder, "pytorch_model.bin")), "only the preferred weights are downloaded");
            Assert.IsFalse(hub.Requests.Any(r => r.Contains("pytorch_model.bin")), "pytorch_model.bin is not even looked up");
            Assert.IsTrue(File.Exists(Path.Combine(repoFolder, ".no_exist", hub.Commit, "preprocessor_config.json")));
            Assert.AreEqual(0, Directory.GetFiles(Path.Combine(repoFolder, "blobs"), "*.incomplete").Length);

            HubDownloadProgress last = progress.Reports.Last(p => p.FileName == "model.safetensors");
            Assert.AreEqual(weights.Length, last.BytesDownloaded);
            Assert.AreEqual(weights.Length, last.TotalBytes);

            using (ITensorStore store = CheckpointLoader.Open(folder))
            using (var original = SafeTensorsFile.Open(Fixture("model.safetensors")))
            {
                foreach (string name in original.Names)
                {
                    Assert.IsTrue(original.LoadFloat32(name).Span.SequenceEqual(store.LoadFloat32(name).Span), name);
                }
            }

            // A second online run only asks for metadata; offline, the cache alone is enough.
            hub.Requests.Clear();
            Assert.AreEqual(folder, HubModelResolver.Resolve(Repo, ModelFiles, Options(hub, cache)));
            Assert.IsFalse(hub.Requests.Any(r => r.StartsWith("GET", StringComparison.Ordinal)), string.Join("\n", hub.Requests));
            hub.Requests.Clear();
            Assert.AreEqual(folder, HubModelResolver.Resolve(Repo, ModelFiles, Options(hub, cache) with { Offline = true }));
            Assert.AreEqual(folder, HubModelResolver.Resolve($"{Repo}@{hub.Commit}", ModelFiles, Options(hub, cache) with { Offline = true }));
            Assert.IsTrue(hub.Requests.IsEmpty, "offline mode must not touch the network");
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    [TestMethod]
    public void DroppedConnectionIsResumedWithARangeRequest()
    {
        using var hub = NewHub();
        hub.DropAfterBytes["model.safetensors"] = 100_000;
        string cache = TestFiles.NewFolder();
        try
        {
            string folder = HubModelResolver.Resolve(Repo, new[] { HubFileGroup.Weights }, Options(hub, cache));
            CollectionAssert.AreEqual(File.ReadAllBytes(Fixture("model.safetensors")), File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
            Assert.IsTrue(hub.Requests.Any(r => r.StartsWith("GET /cdn/", StringComparison.Ordinal) && r.Contains("bytes=100000-")), string.Join("\n", hub.Requests));
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    [TestMethod]
    public void InterruptedRunKeepsThePartialFileAndTheNextRunResumesIt()
    {
        using var hub = NewHub();
        hub.DropAfterBytes["model.safetensors"] = 123_456;
        string cache = TestFiles.NewFolder();
        try
        {
            var error = Assert.ThrowsExactly<HubRequestException>(() =>
                HubModelResolver.Resolve(Repo, new[] { HubFileGroup.Weights }, Options(hub, cache) with { MaxRetries = 0 }));
            StringAssert.Contains(error.Message, "model.safetensors");
            string blobs = Path.Combine(cache, "models--tiny-org--xclip-tiny", "blobs");
            string partial = Directory.GetFiles(blobs, "*.incomplete").Single();
            Assert.AreEqual(123_456, new FileInfo(partial).Length);
            Assert.IsFalse(Directory.Exists(Path.Combine(cache, "models--tiny-org--xclip-tiny", "snapshots", hub.Commit, "model.safetensors")));

            string folder = HubModelResolver.Resolve(Repo, new[] { HubFileGroup.Weights }, Options(hub, cache));
            CollectionAssert.AreEqual(File.ReadAllBytes(Fixture("model.safetensors")), File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
            Assert.IsTrue(hub.Requests.Any(r => r.StartsWith("GET /cdn/", StringComparison.Ordinal) && r.Contains("bytes=123456-")), string.Join("\n", hub.Requests));
            Assert.AreEqual(0, Directory.GetFiles(blobs, "*.incomplete").Length);
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    [TestMethod]
    public void WrongChecksumIsRejectedAndLeavesNothingInTheCache()
    {
        using var hub = NewHub();
        string wrong = FakeHub.Sha256(new byte[] { 1, 2, 3 });
        hub.AdvertisedSha["model.safetensors"] = wrong;
        string cache = TestFiles.NewFolder();
        try
        {
            var error = Assert.ThrowsExactly<InvalidDataException>(() => HubModelResolver.Resolve(Repo, new[] { HubFileGroup.Weights }, Options(hub, cache)));
            StringAssert.Contains(error.Message, "model.safetensors");
            StringAssert.Contains(error.Message, "SHA-256");
            StringAssert.Contains(error.Message, wrong);

            string repoFolder = Path.Combine(cache, "models--tiny-org--xclip-tiny");
            string[] left = Directory.Exists(repoFolder) ? Directory.GetFileSystemEntries(repoFolder, "*", SearchOption.AllDirectories).Where(File.Exists).ToArray() : Array.Empty<string>();
            Assert.AreEqual(0, left.Length, "left in the cache: " + string.Join(", ", left));
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    [TestMethod]
    public void UnauthorizedWithoutTokenAndAcceptedWithIt()
    {
        using var hub = new FakeHub(Repo, HubFiles(), "model.safetensors", "pytorch_model.bin") { RequiredToken = "hf_test_token" };
        string cache = TestFiles.NewFolder();
        try
        {
            var error = Assert.ThrowsExactly<HubRequestException>(() => HubModelResolver.Resolve(Repo, ModelFiles, Options(hub, cache)));
            Assert.AreEqual(HttpStatusCode.Unauthorized, error.StatusCode);
            StringAssert.Contains(error.Message, "HF_TOKEN");
            StringAssert.Contains(error.Message, "config.json");

            string folder = HubModelResolver.Resolve(Repo, ModelFiles, Options(hub, cache) with { Token = "hf_test_token" });
            Assert.IsTrue(File.Exists(Path.Combine(folder, "model.safetensors")));
            string[] gets = hub.Requests.Where(r => r.StartsWith("GET", StringComparison.Ordinal)).ToArray();
            Assert.IsTrue(gets.Where(r => r.Contains("/resolve/")).All(r => r.EndsWith("Bearer hf_test_token", StringComparison.Ordinal)), string.Join("\n", gets));
            Assert.IsTrue(gets.Any(r => r.StartsWith("GET /cdn/", StringComparison.Ordinal)));
            Assert.IsFalse(gets.Where(r => r.StartsWith("GET /cdn/", StringComparison.Ordinal)).Any(r => r.Contains("Bearer")), "the token must not be sent to the storage host");
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    [TestMethod]
    public void MissingFilesGive404ErrorsAndFallBackWithinAGroup()
    {
        var files = HubFiles();
        files.Remove("model.safetensors");
        using var hub = new FakeHub(Repo, files, "pytorch_model.bin");
        string cache = TestFiles.NewFolder();
        try
        {
            // The weights group falls back to pytorch_model.bin when model.safetensors is absent.
            string folder = HubModelResolver.Resolve(Repo, new[] { HubFileGroup.Weights }, Options(hub, cache));
            using (ITensorStore store = CheckpointLoader.Open(folder))
            {
                Assert.IsInstanceOfType<PyTorchCheckpoint>(store);
            }

            var missing = Assert.ThrowsExactly<FileNotFoundException>(() =>
                HubModelResolver.Resolve(Repo, new[] { HubFileGroup.Required("missing_config.json") }, Options(hub, cache)));
            StringAssert.Contains(missing.Message, "missing_config.json");
            StringAssert.Contains(missing.Message, "404");

            var noRepo = Assert.ThrowsExactly<HubRequestException>(() => HubModelResolver.Resolve("tiny-org/no-such-model", ModelFiles, Options(hub, cache)));
            Assert.AreEqual(HttpStatusCode.NotFound, noRepo.StatusCode);
            StringAssert.Contains(noRepo.Message, "'tiny-org/no-such-model' was not found");

            var noRevision = Assert.ThrowsExactly<HubRequestException>(() => HubModelResolver.Resolve(Repo + "@v9", ModelFiles, Options(hub, cache)));
            StringAssert.Contains(noRevision.Message, "revision 'v9'");
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    [TestMethod]
    public void RenamedRepositoryIsFollowedThroughARelativeRedirect()
    {
        using var hub = new FakeHub(Repo, HubFiles(), "model.safetensors", "pytorch_model.bin") { RenamedFrom = "old-org/old-name" };
        string cache = TestFiles.NewFolder();
        try
        {
            string folder = HubModelResolver.Resolve("old-org/old-name", ModelFiles, Options(hub, cache));
            Assert.AreEqual(Path.Combine(cache, "models--old-org--old-name", "snapshots", hub.Commit), folder);
            CollectionAssert.AreEqual(File.ReadAllBytes(Fixture("config.json")), File.ReadAllBytes(Path.Combine(folder, "config.json")));
            Assert.IsTrue(File.Exists(Path.Combine(folder, "model.safetensors")));
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    [TestMethod]
    public void CancellationStopsTheDownload()
    {
        using var hub = NewHub();
        string cache = TestFiles.NewFolder();
        try
        {
            using var cancel = new CancellationTokenSource();
            var progress = new CancelOnFirstReport(cancel);
            Assert.Throws<OperationCanceledException>(() => HubModelResolver.Resolve(Repo, ModelFiles, Options(hub, cache), progress, cancel.Token), "cancelled during the first file");
            string snapshots = Path.Combine(cache, "models--tiny-org--xclip-tiny", "snapshots");
            Assert.IsFalse(Directory.Exists(snapshots) && Directory.EnumerateFiles(snapshots, "*", SearchOption.AllDirectories).Any(), "a cancelled download adds nothing to the snapshot");
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    [TestMethod]
    public async Task ConcurrentDownloadsOfTheSameModelShareOneBlob()
    {
        using var hub = NewHub();
        string cache = TestFiles.NewFolder();
        try
        {
            Task<string>[] runs = Enumerable.Range(0, 3)
                .Select(_ => Task.Run(() => HubModelResolver.ResolveAsync(Repo, ModelFiles, Options(hub, cache))))
                .ToArray();
            string[] folders = await Task.WhenAll(runs);
            Assert.AreEqual(1, folders.Distinct().Count());
            CollectionAssert.AreEqual(File.ReadAllBytes(Fixture("model.safetensors")), File.ReadAllBytes(Path.Combine(folders[0], "model.safetensors")));
            Assert.AreEqual(1, hub.Requests.Count(r => r.StartsWith("GET /cdn/", StringComparison.Ordinal)), string.Join("\n", hub.Requests));
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    [TestMethod]
    public void ShardedCheckpointDownloadsEveryShard()
    {
        using var whole = SafeTensorsFile.Open(Fixture("model.safetensors"));
        string[] names = whole.Names.OrderBy(n => n, StringComparer.Ordinal).ToArray();
        var files = new Dictionary<string, byte[]> { ["config.json"] = File.ReadAllBytes(Fixture("config.json")) };
        var weightMap = new Dictionary<string, string>();
        for (int shard = 0; shard < 2; shard++)
        {
            string file = $"model-0000{shard + 1}-of-00002.safetensors";
            string[] part = names.Where((_, i) => i % 2 == shard).ToArray();
            files[file] = TestFiles.SafeTensors(part.Select(n => new TestFiles.RawTensor(n, "F32", whole.GetInfo(n)!.Shape, TestFiles.F32(whole.LoadFloat32(n).ToArray()))));
            foreach (string n in part)
            {
                weightMap[n] = file;
            }
        }

        files["model.safetensors.index.json"] = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { metadata = new { }, weight_map = weightMap });
        using var hub = new FakeHub(Repo, files, "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
        string cache = TestFiles.NewFolder();
        try
        {
            string folder = HubModelResolver.Resolve(Repo, ModelFiles, Options(hub, cache));
            using ITensorStore store = CheckpointLoader.Open(folder);
            Assert.IsInstanceOfType<ShardedTensorStore>(store);
            CollectionAssert.AreEquivalent(names, store.Names.ToArray());

            // Offline, a cache missing a shard is reported by name.
            File.Delete(Path.Combine(folder, "model-00002-of-00002.safetensors"));
            var error = Assert.ThrowsExactly<FileNotFoundException>(() => HubModelResolver.Resolve(Repo, ModelFiles, Options(hub, cache) with { Offline = true }));
            StringAssert.Contains(error.Message, "model-00002-of-00002.safetensors");
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    internal static Dictionary<string, byte[]> HubFiles() => new()
    {
        ["config.json"] = File.ReadAllBytes(Fixture("config.json")),
        ["model.safetensors"] = File.ReadAllBytes(Fixture("model.safetensors")),
        ["pytorch_model.bin"] = File.ReadAllBytes(Fixture("pytorch_model.bin")),
    };

    private static FakeHub NewHub() => new(Repo, HubFiles(), "model.safetensors", "pytorch_model.bin");

    private static string Fixture(string file) => TestFixtures.Path("models/xclip-tiny/" + file);

    private static HubOptions Options(FakeHub hub, string cache) => new()
    {
        CacheDirectory = cache,
        Endpoint = hub.Endpoint,
        Token = null,
        Offline = false,
        RequestTimeout = TimeSpan.FromSeconds(20),
    };

    private sealed class CancelOnFirstReport(CancellationTokenSource cancel) : IProgress<HubDownloadProgress>
    {
        public void Report(HubDownloadProgress value) => cancel.Cancel();
    }

    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them later).</summary>
    private sealed class RecordingProgress : IProgress<HubDownloadProgress>
    {
        public ConcurrentQueue<HubDownloadProgress> Reports { get; } = new();

        public void Report(HubDownloadProgress value) => Reports.Enqueue(value);
    }
}
