using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Clip.Cli.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Scale;

/// <summary>
/// One shard of <see cref="Count"/>: the inputs whose key (the input's canonical path, as stored in the output) hashes to
/// <see cref="Index"/>. The assignment is a pure function of the key and <see cref="Count"/>, so every machine computes
/// the same split without talking to the others.
/// </summary>
/// <remarks>
/// The key is hashed with SHA-256 (the first 8 bytes, little-endian, as an unsigned 64-bit integer) and the hash is
/// placed with jump consistent hashing (Lamping &amp; Veach, 2014). Hence:
/// <list type="bullet">
/// <item>Adding or removing inputs never moves the other inputs: each input's shard depends on its own key only.</item>
/// <item>Growing <see cref="Count"/> from N to N + 1 moves about 1/(N + 1) of the inputs, all of them into the new
/// shard N; shrinking from N + 1 to N moves only the inputs of shard N. Part files are named after N
/// (<c>part-i-of-N</c>), so a dataset is made with one N; a run with another N starts a new dataset.</item>
/// </list>
/// The same assignment in Python: <c>h = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")</c>, then
/// the loop of <see cref="JumpConsistentHash"/>.
/// </remarks>
/// <param name="Index">The shard, from 0 to <see cref="Count"/> − 1.</param>
/// <param name="Count">How many shards the inputs are split into (at least 1).</param>
internal readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>The Kubernetes Indexed Job variable holding the pod's completion index.</summary>
    public const string KubernetesIndexVariable = "JOB_COMPLETION_INDEX";

    /// <summary>The Slurm job-array variable holding the task's id.</summary>
    public const string SlurmIndexVariable = "SLURM_ARRAY_TASK_ID";

    /// <summary>The Slurm job-array variable holding the number of tasks.</summary>
    public const string SlurmCountVariable = "SLURM_ARRAY_TASK_COUNT";

    /// <summary>The whole input as one shard.</summary>
    public static ShardSpec All => new(0, 1);

    /// <summary>True when this shard takes the input with <paramref name="key"/>.</summary>
    /// <param name="key">The input's canonical path (or text).</param>
    public bool Owns(string key) => ShardOf(key, Count) == Index;

    /// <summary>The shard of <paramref name="key"/> among <paramref name="count"/> shards.</summary>
    /// <param name="key">The input's canonical path (or text).</param>
    /// <param name="count">The number of shards (at least 1).</param>
    public static int ShardOf(string key, int count)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return JumpConsistentHash(StableHash(key), count);
    }

    /// <summary>The first 8 bytes of the SHA-256 of the key's UTF-8 bytes, read as a little-endian integer.</summary>
    /// <param name="key">The key.</param>
    public static ulong StableHash(string key)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    /// <summary>Jump consistent hashing: maps a 64-bit key to a bucket in [0, <paramref name="buckets"/>).</summary>
    /// <param name="key">The key's hash.</param>
    /// <param name="buckets">The number of buckets (at least 1).</param>
    /// <remarks>Lamping &amp; Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm" (2014), figure 1, verbatim.</remarks>
    public static int JumpConsistentHash(ulong key, int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        long b = -1;
        long j = 0;
        while (j < buckets)
        {
            b = j;
            key = unchecked((key * 2862933555777941757UL) + 1);
            j = (long)((b + 1) * ((double)(1L << 31) / (double)((key >> 33) + 1)));
        }

        return (int)b;
    }

    /// <summary>Parses <c>i/N</c> (0 ≤ i &lt; N), as given to <c>--shard</c>.</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="UsageException">The text is not of that form; the message says what was found.</exception>
    public static ShardSpec Parse(string text)
    {
        string[] parts = (text ?? string.Empty).Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            throw new UsageException($"--shard expects i/N (this machine's shard i of N, counted from 0, e.g. 0/4), not '{text}'.");
        }

        return Create(index, count, $"--shard {text}");
    }

    /// <summary>
    /// The shard of a Kubernetes Indexed Job pod (<c>JOB_COMPLETION_INDEX</c>) or a Slurm array task
    /// (<c>SLURM_ARRAY_TASK_ID</c>, so arrays are numbered from 0: <c>--array=0-(N-1)</c>), as <c>--shard-from-env</c>
    /// reads it. The count is <c>--shard-count</c>, else <c>SLURM_ARRAY_TASK_COUNT</c> (which is only right for the
    /// whole array: a resubmission of some tasks, <c>--array=3,17</c>, needs <c>--shard-count</c>).
    /// </summary>
    /// <param name="getVariable">Reads an environment variable.</param>
    /// <param name="count">The number of shards from <c>--shard-count</c>, or null to read <c>SLURM_ARRAY_TASK_COUNT</c>.</param>
    /// <exception cref="UsageException">The variables are missing or invalid; the message names them.</exception>
    public static ShardSpec FromEnvironment(Func<string, string?> getVariable, int? count)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        string? kubernetes = getVariable(KubernetesIndexVariable);
        string? slurm = getVariable(SlurmIndexVariable);
        int index;
        string source;
        if (!string.IsNullOrWhiteSpace(kubernetes))
        {
            index = ParseVariable(KubernetesIndexVariable, kubernetes);
            source = $"{KubernetesIndexVariable}={kubernetes}";
        }
        else if (!string.IsNullOrWhiteSpace(slurm))
        {
            index = ParseVariable(SlurmIndexVariable, slurm);
            source = $"{SlurmIndexVariable}={slurm}";
        }
        else
        {
            throw new UsageException(
                $"--shard-from-env: neither {KubernetesIndexVariable} (Kubernetes Indexed Job) nor {SlurmIndexVariable} (Slurm job array) is set; run inside such a job or give --shard i/N.");
        }

        if (count is null)
        {
            string? slurmCount = getVariable(SlurmCountVariable);
            if (string.IsNullOrWhiteSpace(slurmCount))
            {
                throw new UsageException(
                    $"--shard-from-env: the number of shards is unknown: give --shard-count N (a Kubernetes Job's 'completions') or run in a Slurm array ({SlurmCountVariable}).");
            }

            count = ParseVariable(SlurmCountVariable, slurmCount);
            source += $", {SlurmCountVariable}={slurmCount}";
        }

        return Create(index, count.Value, source);
    }

    /// <summary>The part file name of this shard: <c>part-00003-of-00016.parquet</c>.</summary>
    public string PartFileName => string.Create(CultureInfo.InvariantCulture, $"part-{Index:D5}-of-{Count:D5}.parquet");

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    private static ShardSpec Create(int index, int count, string source)
    {
        if (count < 1)
        {
            throw new UsageException($"{source}: the number of shards must be at least 1, not {count}.");
        }

        if (index < 0 || index >= count)
        {
            throw new UsageException(
                $"{source}: shard {index} is outside 0..{count - 1} (shards are counted from 0: a Slurm array is --array=0-{count - 1}; a resubmission of some of its tasks needs --shard-count with the full count).");
        }

        return new ShardSpec(index, count);
    }

    private static int ParseVariable(string name, string value) =>
        int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int parsed)
            ? parsed
            : throw new UsageException($"--shard-from-env: {name} is '{value}', not a whole number.");
}
