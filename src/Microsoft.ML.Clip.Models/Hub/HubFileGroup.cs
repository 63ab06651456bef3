namespace Microsoft.ML.Clip.Hub;

/// <summary>
/// One file a model needs, given as alternatives in order of preference: the first candidate that exists is used
/// (e.g. <c>model.safetensors</c>, then <c>model.safetensors.index.json</c>, then <c>pytorch_model.bin</c>). When the
/// chosen file is a shard index (<c>*.index.json</c>), every shard it lists is fetched too.
/// </summary>
/// <param name="Candidates">File names relative to the repository root, most preferred first.</param>
/// <param name="IsRequired">When true, having none of the candidates is an error; otherwise the group is skipped.</param>
public sealed record HubFileGroup(IReadOnlyList<string> Candidates, bool IsRequired)
{
    /// <summary>A required file: the first of <paramref name="candidates"/> that exists.</summary>
    /// <param name="candidates">File names, most preferred first.</param>
    public static HubFileGroup Required(params string[] candidates) => new(Check(candidates), true);

    /// <summary>An optional file: the first of <paramref name="candidates"/> that exists, if any.</summary>
    /// <param name="candidates">File names, most preferred first.</param>
    public static HubFileGroup Optional(params string[] candidates) => new(Check(candidates), false);

    /// <summary>The model weights, safetensors first (like <c>transformers</c>).</summary>
    public static HubFileGroup Weights { get; } = Required(
        "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json");

    /// <summary>
    /// What a CLIP-family model folder needs: <c>config.json</c>, the weights, and (optionally) the
    /// preprocessor and tokenizer files of CLIP (BPE) and XLM-R (SentencePiece) tokenizers.
    /// </summary>
    public static IReadOnlyList<HubFileGroup> DefaultModelFiles { get; } = new[]
    {
        Required("config.json"),
        Weights,
        Optional("preprocessor_config.json"),
        Optional("tokenizer_config.json"),
        Optional("special_tokens_map.json"),
        Optional("tokenizer.json"),
        Optional("vocab.json"),
        Optional("merges.txt"),
        Optional("sentencepiece.bpe.model"),
    };

    /// <inheritdoc />
    public override string ToString() => (IsRequired ? string.Empty : "optional ") + string.Join(" | ", Candidates);

    private static string[] Check(string[] candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Length == 0)
        {
            throw new ArgumentException("A file group needs at least one file name.", nameof(candidates));
        }

        foreach (string name in candidates)
        {
            HubPaths.CheckRelativeFileName(name);
        }

        return candidates;
    }
}
