using Microsoft.ML.Clip.Hub;
using Microsoft.ML.Clip.Tests.Checkpoints;

namespace Microsoft.ML.Clip.Tests.Hub;

[TestClass]
public sealed class HubOfflineTests
{
    private const string Commit = "fedcba9876543210fedcba9876543210fedcba98";

    [TestMethod]
    public void OfflineResolvesACacheWrittenLikePython()
    {
        string cache = TestFiles.NewFolder();
        try
        {
            string snapshot = MakePythonStyleCache(cache);
            var options = new HubOptions { CacheDirectory = cache, Offline = true, Endpoint = "http://127.0.0.1:9" };
            Assert.AreEqual(snapshot, HubModelResolver.Resolve("org/model", Files(), options));
            Assert.AreEqual(snapshot, HubModelResolver.Resolve($"org/model@{Commit}", Files(), options));
            Assert.AreEqual(snapshot, HubModelResolver.Resolve("org/model@v1.0", Files(), options));
            Assert.AreEqual("{\"model_type\":\"x\"}", File.ReadAllText(Path.Combine(snapshot, "config.json")));
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    [TestMethod]
    public void OfflineMissingFileSaysWhichAndHowToGetIt()
    {
        string cache = TestFiles.NewFolder();
        try
        {
            MakePythonStyleCache(cache);
            var options = new HubOptions { CacheDirectory = cache, Offline = true };
            var missing = Assert.ThrowsExactly<FileNotFoundException>(() =>
                HubModelResolver.Resolve("org/model", new[] { HubFileGroup.Required("config.json"), HubFileGroup.Required("tokenizer.json", "vocab.json") }, options));
            StringAssert.Contains(missing.Message, "tokenizer.json, vocab.json");
            StringAssert.Contains(missing.Message, "huggingface-cli download org/model tokenizer.json");
            StringAssert.Contains(missing.Message, "HF_HUB_OFFLINE");

            // Optional files may be absent.
            HubModelResolver.Resolve("org/model", new[] { HubFileGroup.Required("config.json"), HubFileGroup.Optional("tokenizer.json") }, options);

            var notCached = Assert.ThrowsExactly<FileNotFoundException>(() => HubModelResolver.Resolve("org/other", Files(), options));
            StringAssert.Contains(notCached.Message, "huggingface-cli download org/other");
            var unknownRevision = Assert.ThrowsExactly<FileNotFoundException>(() => HubModelResolver.Resolve("org/model@dev", Files(), options));
            StringAssert.Contains(unknownRevision.Message, "--revision dev");
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    [TestMethod]
    public void UnreachableHubFallsBackToTheCache()
    {
        string cache = TestFiles.NewFolder();
        try
        {
            string snapshot = MakePythonStyleCache(cache);

            // Port 9 (discard) on loopback: nothing listens, so the connection is refused.
            var options = new HubOptions { CacheDirectory = cache, Endpoint = "http://127.0.0.1:9", RequestTimeout = TimeSpan.FromSeconds(5) };
            Assert.AreEqual(snapshot, HubModelResolver.Resolve("org/model", Files(), options));
            var error = Assert.ThrowsExactly<FileNotFoundException>(() => HubModelResolver.Resolve("org/absent", Files(), options));
            StringAssert.Contains(error.Message, "could not be reached");
        }
        finally
        {
            TestFiles.DeleteFolder(cache);
        }
    }

    [TestMethod]
    public void LocalFoldersAreReturnedAsIsAndBadIdsAreRejected()
    {
        string folder = TestFiles.NewFolder();
        try
        {
            var options = new HubOptions { CacheDirectory = folder, Offline = true };
            Assert.AreEqual(folder, HubModelResolver.Resolve(folder, null, options));
            Assert.ThrowsExactly<DirectoryNotFoundException>(() => HubModelResolver.Resolve(Path.Combine(folder, "nope"), null, options));
            Assert.ThrowsExactly<DirectoryNotFoundException>(() => HubModelResolver.Resolve("org/../etc", null, options));
            Assert.ThrowsExactly<DirectoryNotFoundException>(() => HubModelResolver.Resolve("org/na--me", null, options));
            Assert.ThrowsExactly<DirectoryNotFoundException>(() => HubModelResolver.Resolve("org/name@../../x", null, options));
        }
        finally
        {
            TestFiles.DeleteFolder(folder);
        }
    }

    [TestMethod]
    public void ModelIdsParseLikeHuggingFaceHub()
    {
        HubModelId id = HubModelId.Parse("microsoft/xclip-base-patch32@refs/pr/1");
        Assert.AreEqual("microsoft/xclip-base-patch32", id.RepoId);
        Assert.AreEqual("refs/pr/1", id.Revision);
        Assert.AreEqual("models--microsoft--xclip-base-patch32", id.CacheFolderName);
        Assert.AreEqual("main", HubModelId.Parse("BAAI/AltCLIP").Revision);
        Assert.IsTrue(HubModelId.Parse($"BAAI/AltCLIP@{Commit}").IsCommitHash);
        Assert.IsFalse(HubModelId.TryParse("a/b/c", out _, out string? error));
        StringAssert.Contains(error, "a/b/c");
    }

    [TestMethod]
    public void OptionsComeFromTheEnvironmentLikeHuggingFaceHub()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        HubOptions defaults = HubOptions.FromEnvironment(_ => null);
        Assert.AreEqual(Path.Combine(home, ".cache", "huggingface", "hub"), defaults.CacheDirectory);
        Assert.AreEqual("https://huggingface.co", defaults.Endpoint);
        Assert.IsFalse(defaults.Offline);

        var env = new Dictionary<string, string>
        {
            ["HF_HOME"] = "/data/hf",
            ["HF_HUB_OFFLINE"] = "1",
            ["HF_ENDPOINT"] = "https://mirror.example/",
            ["HF_TOKEN"] = "hf_abc",
        };
        HubOptions fromHome = HubOptions.FromEnvironment(env.GetValueOrDefault);
        Assert.AreEqual(Path.Combine("/data/hf", "hub"), fromHome.CacheDirectory);
        Assert.IsTrue(fromHome.Offline);
        Assert.AreEqual("https://mirror.example", fromHome.Endpoint);
        Assert.AreEqual("hf_abc", fromHome.Token);

        env["HF_HUB_CACHE"] = "/fast/hub";
        env["HF_HUB_OFFLINE"] = "0";
        HubOptions fromCache = HubOptions.FromEnvironment(env.GetValueOrDefault);
        Assert.AreEqual("/fast/hub", fromCache.CacheDirectory);
        Assert.IsFalse(fromCache.Offline);
        Assert.AreEqual(Path.Combine("/xdg", "huggingface", "hub"), HubOptions.FromEnvironment(n => n == "XDG_CACHE_HOME" ? "/xdg" : null).CacheDirectory);
    }

    private static HubFileGroup[] Files() => new[] { HubFileGroup.Required("config.json"), HubFileGroup.Weights };

    /// <summary>Writes models--org--model as huggingface_hub does: blobs, refs/main and refs/v1.0, snapshot symlinks.</summary>
    private static string MakePythonStyleCache(string cache)
    {
        string repo = Path.Combine(cache, "models--org--model");
        string blobs = Path.Combine(repo, "blobs");
        string snapshot = Path.Combine(repo, "snapshots", Commit);
        Directory.CreateDirectory(blobs);
        Directory.CreateDirectory(snapshot);
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        File.WriteAllText(Path.Combine(repo, "refs", "main"), Commit);
        File.WriteAllText(Path.Combine(repo, "refs", "v1.0"), Commit);
        File.WriteAllText(Path.Combine(blobs, "aaaa"), "{\"model_type\":\"x\"}");
        File.WriteAllBytes(Path.Combine(blobs, "bbbb"), TestFiles.SafeTensors(new[] { new TestFiles.RawTensor("w", "F32", new[] { 1 }, TestFiles.F32(1)) }));
        File.CreateSymbolicLink(Path.Combine(snapshot, "config.json"), Path.Combine("..", "..", "blobs", "aaaa"));
        File.CreateSymbolicLink(Path.Combine(snapshot, "model.safetensors"), Path.Combine("..", "..", "blobs", "bbbb"));
        return snapshot;
    }
}
