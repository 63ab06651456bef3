using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Clip.Checkpoints;

namespace Microsoft.ML.Clip.Cli.Output;

/// <summary>
/// A fingerprint of a model folder's <c>config.json</c> and weight files: <c>sha256:</c> + the SHA-256 of the lines
/// <c>name sha256(content)</c> of each file (sorted by name). The same files give the same fingerprint wherever they
/// are (a Hub snapshot, a copy, another spelling of the path).
/// </summary>
/// <remarks>
/// A file of the Hugging Face cache is a symlink to <c>blobs/&lt;etag&gt;</c>, and the etag of a large (LFS) file is
/// the SHA-256 of its content, so those digests are taken from the link and the weights are not read again.
/// </remarks>
internal static class ModelFingerprint
{
    /// <summary>Computes the fingerprint of a model folder.</summary>
    /// <param name="folder">A folder with config.json and weights.</param>
    /// <exception cref="FileNotFoundException">The folder has no config.json or no weights.</exception>
    public static string Compute(string folder)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal) { "config.json" };
        string weights = CheckpointLoader.FindWeightFile(folder)
            ?? throw new FileNotFoundException($"The model folder '{folder}' has no weights ({string.Join(", ", CheckpointLoader.WeightFileNames)}).");
        files.Add(Path.GetFileName(weights));
        if (weights.EndsWith(".index.json", StringComparison.Ordinal))
        {
            foreach (string shard in ShardNames(weights))
            {
                files.Add(shard);
            }
        }

        var lines = new StringBuilder();
        foreach (string name in files)
        {
            lines.Append(name).Append(' ').Append(FileDigest(Path.Combine(folder, name))).Append('\n');
        }

        return "sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString()))).ToLowerInvariant();
    }

    /// <summary>The SHA-256 of a file's content (hex), read from a Hub cache link when it names the digest.</summary>
    /// <param name="path">The file.</param>
    internal static string FileDigest(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist; the model folder is incomplete.", path);
        }

        if (new FileInfo(path).LinkTarget is string target)
        {
            string blob = Path.GetFileName(target);
            string? parent = Path.GetFileName(Path.GetDirectoryName(target));
            if (parent == "blobs" && blob.Length == 64 && blob.All(char.IsAsciiHexDigitLower))
            {
                return blob;
            }
        }

        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    private static IEnumerable<string> ShardNames(string indexPath)
    {
        using JsonDocument index = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        if (!index.RootElement.TryGetProperty("weight_map", out JsonElement map) || map.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"'{indexPath}' has no \"weight_map\" object.");
        }

        return map.EnumerateObject().Select(p => p.Value.GetString() ?? string.Empty).Where(s => s.Length > 0).Distinct().ToArray();
    }
}
