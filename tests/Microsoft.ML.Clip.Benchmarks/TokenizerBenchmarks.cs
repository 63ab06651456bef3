using BenchmarkDotNet.Attributes;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>
/// CLIP tokenizer throughput on one core with the BPE cache warm (the steady state of zero-shot prompts and
/// retrieval queries). Tokens/s = <see cref="TokensPerOperation"/> ÷ the reported mean time.
/// Run: <c>dotnet run -c Release --project tests/Microsoft.ML.Clip.Benchmarks -- --filter '*TokenizerBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private static readonly string[] Subjects = { "cat", "dog", "man", "woman", "child", "bird", "horse", "car", "guitar", "kitchen" };
    private static readonly string[] Actions = { "playing", "sitting on", "running across", "looking at", "holding", "standing next to" };
    private static readonly string[] Places = { "the beach", "a busy street", "the park at sunset", "a wooden table", "the stage", "a snowy mountain" };

    private ClipTokenizer _clip = null!;
    private Tokenizer _asTokenizer = null!;
    private string[] _captions = null!;

    /// <summary>Tokens produced by one call of <see cref="ClipEncodeCaptions"/> (special tokens included).</summary>
    public static int TokensPerOperation { get; private set; }

    /// <summary>Builds 1,000 varied captions and warms the tokenizer's word cache.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _clip = ClipTokenizer.CreateDefault();
        _asTokenizer = _clip.AsTokenizer();
        var random = new Random(1234);
        _captions = Enumerable.Range(0, 1000)
            .Select(_ => $"A photo of a {Subjects[random.Next(Subjects.Length)]} {Actions[random.Next(Actions.Length)]} " +
                         $"{Places[random.Next(Places.Length)]}, taken in {1990 + random.Next(30)}.")
            .ToArray();
        TokensPerOperation = _captions.Sum(c => _clip.Encode(c).Length);
        Console.WriteLine($"// TokenizerBenchmarks: {TokensPerOperation} tokens per operation");
    }

    /// <summary>Encodes the 1,000 captions one by one on the calling thread.</summary>
    [Benchmark]
    public int ClipEncodeCaptions()
    {
        int total = 0;
        foreach (string caption in _captions)
        {
            total += _clip.Encode(caption).Length;
        }

        return total;
    }

    /// <summary>Encodes 31 captions (below the parallel threshold: one core) as a padded, truncated batch of length 77, as X-CLIP's processor does.</summary>
    [Benchmark]
    public long ClipEncodeBatch77()
    {
        var batch = _clip.EncodeBatch(new ArraySegment<string>(_captions, 0, 31), maxLength: 77, padding: Padding.MaxLength, truncation: true);
        return batch.FlattenInputIds().Length;
    }

    /// <summary>The same captions through the Microsoft.ML.Tokenizers abstraction (<c>Tokenizer.EncodeToIds</c>).</summary>
    [Benchmark]
    public int ClipEncodeToIdsAsTokenizer()
    {
        int total = 0;
        foreach (string caption in _captions)
        {
            total += _asTokenizer.EncodeToIds(caption).Count;
        }

        return total;
    }

    /// <summary>The same captions with token strings and offsets into the original text (<c>Tokenizer.EncodeToTokens</c>; not cached).</summary>
    [Benchmark]
    public int ClipEncodeToTokensWithOffsets()
    {
        int total = 0;
        foreach (string caption in _captions)
        {
            total += _asTokenizer.EncodeToTokens(caption, out _).Count;
        }

        return total;
    }
}
