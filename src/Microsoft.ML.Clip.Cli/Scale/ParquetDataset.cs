using System.Globalization;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Clip.Cli.Scale;

/// <summary>One part file of a dataset and the shard that wrote it.</summary>
/// <param name="Path">The part file.</param>
/// <param name="Shard">The shard, from the file name.</param>
internal sealed record DatasetPart(string Path, ShardSpec Shard);

/// <summary>
/// A Parquet embeddings dataset: a folder of <c>part-i-of-N.parquet</c> files, one per shard, all with the same N.
/// </summary>
/// <param name="Folder">The folder.</param>
/// <param name="Count">N: the number of shards the dataset was made with.</param>
/// <param name="Parts">The finished parts, in shard order.</param>
/// <param name="MissingShards">Shards without a finished part (still running, failed, or never started).</param>
/// <param name="UnfinishedShards">Shards with segments not yet merged into their part (a run was stopped).</param>
internal sealed record ParquetDataset(
    string Folder, int Count, IReadOnlyList<DatasetPart> Parts, IReadOnlyList<int> MissingShards, IReadOnlyList<int> UnfinishedShards)
{
    private static readonly Regex PartName = new(@"^part-(\d+)-of-(\d+)\.parquet$", RegexOptions.CultureInvariant);
    private static readonly Regex SegmentFolderName = new(@"^_part-(\d+)-of-(\d+)\.segments$", RegexOptions.CultureInvariant);

    /// <summary>True when every shard has a finished part and none has pending segments.</summary>
    public bool IsComplete => MissingShards.Count == 0 && UnfinishedShards.Count == 0;

    /// <summary>A sentence on what is missing or unfinished, or null when complete.</summary>
    public string? Problems()
    {
        var problems = new List<string>();
        if (MissingShards.Count > 0)
        {
            problems.Add($"{MissingShards.Count} of {Count} shard(s) have no part yet ({Shards(MissingShards)})");
        }

        if (UnfinishedShards.Count > 0)
        {
            problems.Add($"{UnfinishedShards.Count} shard(s) have unfinished batches not in their part ({Shards(UnfinishedShards)}; rerun them to finish)");
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>True when <paramref name="folder"/> holds at least one part file or one shard's segments.</summary>
    /// <param name="folder">A path.</param>
    public static bool IsDataset(string folder) =>
        Directory.Exists(folder)
        && (Directory.EnumerateFiles(folder, "part-*.parquet").Any(f => PartName.IsMatch(Path.GetFileName(f)))
            || Directory.EnumerateDirectories(folder, "_part-*.segments").Any(d => SegmentFolderName.IsMatch(Path.GetFileName(d))));

    /// <summary>Lists the parts of the dataset in <paramref name="folder"/>.</summary>
    /// <param name="folder">The dataset folder.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder holds no parts, or parts of different shard counts.</exception>
    public static ParquetDataset Open(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The dataset folder '{folder}' does not exist; create it with 'clip embed … --out {folder}/ --format parquet'.");
        }

        var parts = new List<DatasetPart>();
        foreach (string file in Directory.EnumerateFiles(folder, "part-*.parquet"))
        {
            if (Parse(PartName, Path.GetFileName(file)) is ShardSpec shard)
            {
                parts.Add(new DatasetPart(file, shard));
            }
        }

        var unfinished = new List<ShardSpec>();
        foreach (string directory in Directory.EnumerateDirectories(folder, "_part-*.segments"))
        {
            if (Parse(SegmentFolderName, Path.GetFileName(directory)) is ShardSpec shard
                && Directory.EnumerateFiles(directory, "seg-*.parquet").Any())
            {
                unfinished.Add(shard);
            }
        }

        int[] counts = parts.Concat(unfinished.Select(s => new DatasetPart(string.Empty, s))).Select(p => p.Shard.Count).Distinct().Order().ToArray();
        if (counts.Length == 0)
        {
            throw new InvalidDataException($"'{folder}' holds no part-i-of-N.parquet files; is it the --out folder of 'clip embed --format parquet'?");
        }

        if (counts.Length > 1)
        {
            throw new InvalidDataException(
                $"'{folder}' mixes parts of {string.Join(" and ", counts)} shards; a dataset is made with one shard count (move the parts of the other run elsewhere).");
        }

        int count = counts[0];
        parts.Sort((a, b) => a.Shard.Index.CompareTo(b.Shard.Index));
        var present = parts.Select(p => p.Shard.Index).ToHashSet();
        int[] missing = Enumerable.Range(0, count).Where(i => !present.Contains(i)).ToArray();
        int[] pending = unfinished.Select(s => s.Index).Order().ToArray();
        return new ParquetDataset(folder, count, parts, missing, pending);
    }

    private static ShardSpec? Parse(Regex pattern, string name)
    {
        Match m = pattern.Match(name);
        if (!m.Success
            || !int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || count < 1 || index >= count)
        {
            return null;
        }

        return new ShardSpec(index, count);
    }

    private static string Shards(IReadOnlyList<int> shards) =>
        string.Join(", ", shards.Take(10)) + (shards.Count > 10 ? $", … {shards.Count - 10} more" : string.Empty);
}
