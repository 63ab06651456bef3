using System.Security.Cryptography;
using System.Text;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// Identifies a model checkpoint by its content: <c>sha256:</c> followed by the SHA-256 of the lines
/// <c>name sha256(content)</c> of the folder's <c>config.json</c> and weight files (shards included), sorted by name.
/// The same files give the same fingerprint wherever they are (a Hub snapshot, a copy, another spelling of the path).
/// </summary>
/// <remarks>
/// Record it beside embeddings or a saved pipeline to tell later whether the same checkpoint is being used. A file of
/// the Hugging Face cache is a symlink to <c>blobs/&lt;etag&gt;</c>, and the etag of a large (LFS) file is the SHA-256 of
/// its content, so those digests are taken from the link and the weights are not read again; other files are read
/// whole (about a second per gigabyte).
/// </remarks>
public static class CheckpointFingerprint
{
    /// <summary>The prefix of every fingerprint this class makes.</summary>
    public const string Prefix = "sha256:";

    /// <summary>Computes the fingerprint of a model folder.</summary>
    /// <param name="folder">A folder with <c>config.json</c> and weights (<see cref="CheckpointLoader.WeightFileNames"/>).</param>
    /// <returns><c>sha256:</c> and 64 lowercase hex digits.</returns>
    /// <exception cref="FileNotFoundException">The folder has no config.json, no weights, or a shard its index names.</exception>
    /// <exception cref="InvalidDataException">A sharded checkpoint's index is not valid (no <c>weight_map</c>, or a shard that is not a plain file name).</exception>
    public static string Compute(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var files = new SortedSet<string>(StringComparer.Ordinal) { "config.json" };
        string weights = CheckpointLoader.FindWeightFile(folder)
            ?? throw new FileNotFoundException($"The model folder '{folder}' has no weights ({string.Join(", ", CheckpointLoader.WeightFileNames)}).");
        files.Add(Path.GetFileName(weights));
        if (weights.EndsWith(".index.json", StringComparison.Ordinal))
        {
            foreach (string shard in ShardedTensorStore.ReadShardFileNames(weights))
            {
                files.Add(shard);
            }
        }

        var lines = new StringBuilder();
        foreach (string name in files)
        {
            lines.Append(name).Append(' ').Append(FileSha256(Path.Combine(folder, name))).Append('\n');
        }

        return Prefix + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString()))).ToLowerInvariant();
    }

    /// <summary>The SHA-256 of a file's content (64 lowercase hex digits), read from a Hub cache link when it names the digest.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string FileSha256(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
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
}
