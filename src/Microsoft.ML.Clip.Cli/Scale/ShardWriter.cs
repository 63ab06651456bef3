using System.Globalization;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.IO;

namespace Microsoft.ML.Clip.Cli.Scale;

/// <summary>
/// Writes one shard's part of a Parquet embeddings dataset so that a killed run loses at most one batch and a
/// restarted run carries on: every batch becomes a small, complete Parquet segment (written to a temporary name and
/// renamed), and <see cref="Complete"/> merges the part and its segments into <c>part-i-of-N.parquet</c> (again through
/// a temporary name) and only then deletes the segments.
/// </summary>
/// <remarks>
/// Layout inside the dataset folder (names starting with <c>_</c> or <c>.</c> are skipped by Spark, pyarrow datasets and
/// a <c>*.parquet</c> glob):
/// <code>
/// part-00003-of-00016.parquet                      the shard's finished part
/// _part-00003-of-00016.segments/seg-000001.parquet  batches written since the part was last completed
/// .part-00003-of-00016.lock                         held while a process writes the shard (removed after)
/// </code>
/// When the same input appears twice (a crash between the part's rename and the segments' deletion, or a failed input
/// retried), the later row wins and keeps the earlier row's position.
/// </remarks>
internal sealed class ShardWriter : IDisposable
{
    private const string SegmentPrefix = "seg-";

    private readonly OutputLock _lock;
    private readonly List<DatasetRow> _rows = new();
    private readonly Dictionary<string, int> _rowOfPath = new(StringComparer.Ordinal);
    private int _nextSegment;
    private bool _dirty;

    private ShardWriter(string folder, ShardSpec shard, OutputLock heldLock)
    {
        Folder = folder;
        Shard = shard;
        _lock = heldLock;
    }

    /// <summary>The dataset folder.</summary>
    public string Folder { get; }

    /// <summary>The shard this writer writes.</summary>
    public ShardSpec Shard { get; }

    /// <summary>The shard's finished part file.</summary>
    public string PartPath => Path.Combine(Folder, Shard.PartFileName);

    /// <summary>The folder of the segments written since the part was last completed.</summary>
    public string SegmentFolder => Path.Combine(Folder, "_" + Path.GetFileNameWithoutExtension(Shard.PartFileName) + ".segments");

    /// <summary>The shard's rows so far (the part's, then the segments'), one per input.</summary>
    public IReadOnlyList<DatasetRow> Rows => _rows;

    /// <summary>How many rows came from segments of an earlier, unfinished run.</summary>
    public int ResumedFromSegments { get; private set; }

    /// <summary>
    /// Takes the shard's lock (failing at once if another process holds it) and reads what earlier runs wrote.
    /// </summary>
    /// <param name="folder">The dataset folder (created if missing).</param>
    /// <param name="shard">The shard.</param>
    /// <exception cref="IOException">Another process is writing the same shard.</exception>
    /// <exception cref="InvalidDataException">A part or segment is not a Parquet embeddings file.</exception>
    public static ShardWriter Open(string folder, ShardSpec shard)
    {
        Directory.CreateDirectory(folder);
        string lockPath = Path.Combine(folder, "." + Path.GetFileNameWithoutExtension(shard.PartFileName) + ".lock");
        OutputLock heldLock = OutputLock.AcquireFile(lockPath, () =>
            $"Shard {shard} of '{folder}' is being written by another process (it holds '{lockPath}'); give each process its own --shard.");

        var writer = new ShardWriter(folder, shard, heldLock);
        try
        {
            writer.Load();
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>The row of <paramref name="path"/>, or null.</summary>
    /// <param name="path">An input's canonical path.</param>
    public DatasetRow? Find(string path) => _rowOfPath.TryGetValue(path, out int i) ? _rows[i] : null;

    /// <summary>Adds a batch and saves it as a segment (atomically) before returning.</summary>
    /// <param name="rows">The batch; each input's row replaces an earlier one of the same input.</param>
    public void Append(IReadOnlyList<DatasetRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        Directory.CreateDirectory(SegmentFolder);
        string segment = Path.Combine(SegmentFolder, string.Create(CultureInfo.InvariantCulture, $"{SegmentPrefix}{_nextSegment:D6}.parquet"));
        AtomicFile.Write(segment, stream => ParquetEmbeddings.Write(stream, rows, Metadata()));
        _nextSegment++;
        foreach (DatasetRow row in rows)
        {
            Put(row);
        }

        _dirty = true;
    }

    /// <summary>
    /// Writes <c>part-i-of-N.parquet</c> with every row (atomically) and deletes the segments. Does nothing when the
    /// part is already up to date.
    /// </summary>
    public void Complete()
    {
        if (_dirty || !File.Exists(PartPath))
        {
            AtomicFile.Write(PartPath, stream => ParquetEmbeddings.Write(stream, _rows, Metadata()));
        }

        if (Directory.Exists(SegmentFolder))
        {
            Directory.Delete(SegmentFolder, recursive: true);
        }

        _nextSegment = 0;
        _dirty = false;
    }

    /// <summary>Releases the lock; rows not completed stay in their segments for the next run.</summary>
    public void Dispose() => _lock.Dispose();

    private Dictionary<string, string> Metadata() => new(StringComparer.Ordinal) { ["clip.shard"] = Shard.ToString() };

    private void Load()
    {
        // A killed Complete leaves its temporary part (AtomicFile's hidden *.tmp name); we hold the lock, so it is ours.
        foreach (string temp in Directory.GetFiles(Folder, "." + Shard.PartFileName + ".*.tmp"))
        {
            File.Delete(temp);
        }

        if (File.Exists(PartPath))
        {
            ParquetEmbeddings.Read(PartPath).ForEach(Put);
        }

        if (!Directory.Exists(SegmentFolder))
        {
            return;
        }

        // Only renamed (complete) segments count; temporary files of a killed write are left for AtomicFile's names
        // (hidden, *.tmp) and removed here.
        foreach (string temp in Directory.GetFiles(SegmentFolder, ".*.tmp"))
        {
            File.Delete(temp);
        }

        foreach ((string file, int number) in Segments())
        {
            List<DatasetRow> rows = ParquetEmbeddings.Read(file);
            rows.ForEach(Put);
            ResumedFromSegments += rows.Count;
            _nextSegment = number + 1;
            _dirty = true;
        }
    }

    private IEnumerable<(string File, int Number)> Segments() =>
        Directory.GetFiles(SegmentFolder, SegmentPrefix + "*.parquet")
            .Select(f => (File: f, Number: int.TryParse(Path.GetFileNameWithoutExtension(f).AsSpan(SegmentPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1))
            .Where(s => s.Number >= 0)
            .OrderBy(s => s.Number);

    private void Put(DatasetRow row)
    {
        if (_rowOfPath.TryGetValue(row.Path, out int i))
        {
            _rows[i] = row;
        }
        else
        {
            _rowOfPath[row.Path] = _rows.Count;
            _rows.Add(row);
        }
    }
}
