using System.Text.Json;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// A checkpoint split into shards by <c>save_pretrained</c>, described by an index file
/// (<c>model.safetensors.index.json</c> or <c>pytorch_model.bin.index.json</c>) whose <c>weight_map</c> maps each
/// tensor name to the shard file holding it.
/// </summary>
public sealed class ShardedTensorStore : ITensorStore
{
    private readonly Dictionary<string, ITensorStore> _byName;
    private readonly List<ITensorStore> _shards;

    private ShardedTensorStore(string source, Dictionary<string, ITensorStore> byName, List<ITensorStore> shards)
    {
        Source = source;
        _byName = byName;
        _shards = shards;
    }

    /// <inheritdoc />
    public string Source { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<string> Names => _byName.Keys;

    /// <summary>The shard file names the index refers to, in first-use order.</summary>
    public IReadOnlyList<string> ShardFiles => _shards.Select(s => s.Source).ToArray();

    /// <summary>Opens a sharded checkpoint from its index file; each shard is opened with <see cref="CheckpointLoader.OpenFile"/>.</summary>
    /// <param name="indexPath">The path of <c>*.index.json</c>; shards are looked up next to it.</param>
    /// <exception cref="InvalidDataException">The index is malformed, names an unsafe or missing shard, or a shard lacks a tensor the index assigns to it.</exception>
    public static ShardedTensorStore Open(string indexPath)
    {
        ArgumentNullException.ThrowIfNull(indexPath);
        string fullPath = Path.GetFullPath(indexPath);
        string folder = Path.GetDirectoryName(fullPath)!;
        Dictionary<string, string> weightMap = ReadWeightMap(fullPath);
        var shardsByFile = new Dictionary<string, ITensorStore>(StringComparer.Ordinal);
        var shards = new List<ITensorStore>();
        var byName = new Dictionary<string, ITensorStore>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, file) in weightMap)
            {
                if (!shardsByFile.TryGetValue(file, out ITensorStore? shard))
                {
                    string shardPath = Path.Combine(folder, file);
                    if (!File.Exists(shardPath))
                    {
                        throw new InvalidDataException($"'{fullPath}' assigns tensor '{name}' to shard '{file}', but '{shardPath}' does not exist. Download every shard listed in the index.");
                    }

                    shard = CheckpointLoader.OpenFile(shardPath);
                    shardsByFile.Add(file, shard);
                    shards.Add(shard);
                }

                if (shard.GetInfo(name) is null)
                {
                    throw new InvalidDataException($"'{fullPath}' assigns tensor '{name}' to shard '{file}', which has no such tensor.");
                }

                byName.Add(name, shard);
            }

            return new ShardedTensorStore(fullPath, byName, shards);
        }
        catch
        {
            foreach (ITensorStore shard in shards)
            {
                shard.Dispose();
            }

            throw;
        }
    }

    /// <summary>Reads the distinct shard file names an index file lists (for downloading), validating them.</summary>
    /// <param name="indexPath">The path of <c>*.index.json</c>.</param>
    public static IReadOnlyList<string> ReadShardFileNames(string indexPath) =>
        ReadWeightMap(Path.GetFullPath(indexPath)).Values.Distinct(StringComparer.Ordinal).ToArray();

    /// <inheritdoc />
    public TensorInfo? GetInfo(string name) => _byName.TryGetValue(name, out ITensorStore? shard) ? shard.GetInfo(name) : null;

    /// <inheritdoc />
    public Tensor LoadFloat32(string name) => Shard(name).LoadFloat32(name);

    /// <inheritdoc />
    public (long[] Values, int[] Shape) LoadInt64(string name) => Shard(name).LoadInt64(name);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (ITensorStore shard in _shards)
        {
            shard.Dispose();
        }
    }

    private ITensorStore Shard(string name) =>
        _byName.TryGetValue(name, out ITensorStore? shard)
            ? shard
            : throw new KeyNotFoundException($"'{Source}' has no tensor named '{name}'.");

    private static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        if (!File.Exists(indexPath))
        {
            throw new FileNotFoundException($"The checkpoint index '{indexPath}' does not exist.", indexPath);
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out JsonElement weightMap)
                || weightMap.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"'{indexPath}' is not a checkpoint index: it has no 'weight_map' object.");
            }

            foreach (JsonProperty entry in weightMap.EnumerateObject())
            {
                string? file = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString() : null;
                if (string.IsNullOrEmpty(file) || file.Contains('/') || file.Contains('\\') || file == ".." || file == "." || Path.IsPathRooted(file))
                {
                    throw new InvalidDataException($"'{indexPath}': tensor '{entry.Name}' maps to '{entry.Value}', which is not a plain file name in the same folder.");
                }

                map[entry.Name] = file;
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{indexPath}' is not valid JSON ({e.Message}).", e);
        }

        if (map.Count == 0)
        {
            throw new InvalidDataException($"'{indexPath}': 'weight_map' is empty.");
        }

        return map;
    }
}
