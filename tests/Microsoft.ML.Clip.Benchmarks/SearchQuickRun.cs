using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Microsoft.ML.Clip.Cli.Scale;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Microsoft.ML.Clip.Benchmarks -- search --data DIR [--engine generate|ours|duckdb|duckdb-table]
/// [--rows 1000000] [--dim 512] [--parts 8] [--queries 7] [--top 10]</c>: top-k cosine search over a Parquet embeddings
/// dataset of random rows (written to DIR by <see cref="ParquetEmbeddings"/> the first time), with one engine per process
/// so each engine's peak resident memory is its own:
/// <list type="bullet">
/// <item><c>ours</c>: <see cref="DatasetIndex"/> (parts read into unit-norm matrices, SIMD dot products, partial heaps).</item>
/// <item><c>duckdb</c>: DuckDB reading the Parquet files on every query (<c>array_cosine_similarity</c> over <c>FLOAT[N]</c>).</item>
/// <item><c>duckdb-table</c>: DuckDB with the embeddings first loaded into an in-memory table of <c>FLOAT[N]</c>.</item>
/// </list>
/// Prints the load time, the median and best time per query and the peak resident memory (VmHWM), and the top hit of the
/// first query so engines can be compared. <c>--engine generate</c> only writes the dataset.
/// </summary>
public static class SearchQuickRun
{
    /// <summary>Runs the benchmark.</summary>
    public static void Run(string[] args)
    {
        string data = Arg(args, "--data") ?? Path.Combine(Path.GetTempPath(), "clip-search-bench");
        string engine = Arg(args, "--engine") ?? "ours";
        int rows = int.Parse(Arg(args, "--rows") ?? "1000000", CultureInfo.InvariantCulture);
        int dim = int.Parse(Arg(args, "--dim") ?? "512", CultureInfo.InvariantCulture);
        int parts = int.Parse(Arg(args, "--parts") ?? "8", CultureInfo.InvariantCulture);
        int queries = int.Parse(Arg(args, "--queries") ?? "7", CultureInfo.InvariantCulture);
        int top = int.Parse(Arg(args, "--top") ?? "10", CultureInfo.InvariantCulture);

        Generate(data, rows, dim, parts);
        if (engine == "generate")
        {
            return;
        }

        string[] files = ParquetDataset.Open(data).Parts.Select(p => p.Path).ToArray();
        var random = new Random(123);
        float[][] query = Enumerable.Range(0, queries).Select(_ => Enumerable.Range(0, dim).Select(_ => random.NextSingle() * 2 - 1).ToArray()).ToArray();
        long before = PeakResident();
        Console.WriteLine($"engine {engine}: {rows} rows × {dim} floats in {files.Length} parts of '{data}' ({Environment.ProcessorCount} cores, resident before {before / 1048576.0:F0} MiB)");

        var clock = Stopwatch.StartNew();
        Func<float[], string> search;
        switch (engine)
        {
            case "ours":
                DatasetIndex index = DatasetIndex.Load(files);
                search = q => Describe(index.Search(q, top)[0]);
                break;
            case "duckdb":
            case "duckdb-table":
                var connection = new DuckDBConnection("Data Source=:memory:");
                connection.Open();
                string source = $"read_parquet('{Path.Combine(data, "part-*.parquet")}')";
                if (engine == "duckdb-table")
                {
                    Execute(connection, $"CREATE TABLE items AS SELECT path, embedding::FLOAT[{dim}] AS embedding FROM {source} WHERE embedding IS NOT NULL");
                    source = "items";
                }

                search = q => DuckDbTop(connection, source, q, top);
                break;
            default:
                throw new ArgumentException($"--engine must be ours, duckdb or duckdb-table, not '{engine}'.");
        }

        double load = clock.Elapsed.TotalSeconds;
        var times = new List<double>();
        string first = string.Empty;
        foreach (float[] q in query)
        {
            clock.Restart();
            string hit = search(q);
            times.Add(clock.Elapsed.TotalSeconds);
            if (first.Length == 0)
            {
                first = hit;
            }
        }

        times.Sort();
        Console.WriteLine($"  load {load:F2} s; per query (top {top}) median {times[times.Count / 2] * 1000:F0} ms, best {times[0] * 1000:F0} ms over {queries}; peak resident {PeakResident() / 1048576.0:F0} MiB");
        Console.WriteLine($"  first query's best hit: {first}");
    }

    private static string DuckDbTop(DuckDBConnection connection, string source, float[] query, int top)
    {
        var literal = new StringBuilder("[");
        for (int i = 0; i < query.Length; i++)
        {
            literal.Append(i == 0 ? string.Empty : ",").Append(query[i].ToString("R", CultureInfo.InvariantCulture));
        }

        literal.Append(']');
        string embedding = source == "items" ? "embedding" : $"embedding::FLOAT[{query.Length}]";
        using DuckDBCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT path, array_cosine_similarity({embedding}, {literal}::FLOAT[{query.Length}]) AS score FROM {source} "
            + $"WHERE embedding IS NOT NULL ORDER BY score DESC LIMIT {top}";
        using var reader = command.ExecuteReader();
        reader.Read();
        return $"{reader.GetString(0)} {Convert.ToSingle(reader.GetValue(1), CultureInfo.InvariantCulture):F6}";
    }

    private static string Describe(DatasetHit hit) => $"{hit.Path} {hit.Score:F6}";

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using DuckDBCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void Generate(string folder, int rows, int dim, int parts)
    {
        if (ParquetDataset.IsDataset(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var clock = Stopwatch.StartNew();
        for (int part = 0; part < parts; part++)
        {
            var random = new Random(part);
            int start = (int)((long)rows * part / parts);
            int end = (int)((long)rows * (part + 1) / parts);
            var batch = new List<DatasetRow>(end - start);
            for (int i = start; i < end; i++)
            {
                var e = new float[dim];
                for (int j = 0; j < dim; j++)
                {
                    e[j] = random.NextSingle() * 2 - 1;
                }

                batch.Add(new DatasetRow($"/data/videos/{i / 1000:D4}/video{i:D7}.mp4", e, "microsoft/xclip-base-patch32", "sha256:benchmark", "video", 8, "uniform", null, null));
            }

            using FileStream stream = File.Create(Path.Combine(folder, new ShardSpec(part, parts).PartFileName));
            ParquetEmbeddings.Write(stream, batch);
        }

        Console.WriteLine($"generated {rows} rows in {parts} parts in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static long PeakResident()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static string? Arg(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
