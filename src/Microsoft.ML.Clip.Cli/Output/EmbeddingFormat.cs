using Microsoft.ML.Clip.Cli.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Output;

/// <summary>The file formats <c>clip embed</c> writes and <c>clip search</c> reads, chosen by extension.</summary>
internal enum EmbeddingFormat
{
    /// <summary><c>.csv</c>: a header <c>input,model,e0,e1,…</c>, then one row per input (RFC 4180 quoting).</summary>
    Csv,

    /// <summary><c>.jsonl</c>: one object per line, <c>{"input": …, "model": …, "embedding": [...]}</c>.</summary>
    JsonLines,

    /// <summary><c>.safetensors</c>: a float32 tensor <c>embeddings</c> [inputs, dim]; the inputs and model in <c>__metadata__</c>.</summary>
    SafeTensors,
}

/// <summary>Maps file names to <see cref="EmbeddingFormat"/>.</summary>
internal static class EmbeddingFormats
{
    /// <summary>The format of a path, from its extension.</summary>
    /// <param name="path">An embeddings file path.</param>
    /// <exception cref="UsageException">The extension is none of .csv, .jsonl, .safetensors.</exception>
    public static EmbeddingFormat FromPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => EmbeddingFormat.Csv,
        ".jsonl" => EmbeddingFormat.JsonLines,
        ".safetensors" => EmbeddingFormat.SafeTensors,
        string other => throw new UsageException(
            $"'{path}': unknown embeddings format '{(other.Length == 0 ? "(no extension)" : other)}'; use a name ending in .csv, .jsonl or .safetensors."),
    };
}
