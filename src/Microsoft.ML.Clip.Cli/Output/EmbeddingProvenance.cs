using System.Globalization;

namespace Microsoft.ML.Clip.Cli.Output;

/// <summary>
/// What made a set of embeddings, recorded in every embeddings file (per row in .csv and .jsonl, in the header
/// metadata of .safetensors) so that <c>clip search</c> and a resumed <c>clip embed</c> can refuse embeddings made
/// otherwise. The same named fields are written by every format (<see cref="Fields"/>, read back by
/// <see cref="FromFields"/>); a file written before provenance was recorded has only <see cref="Model"/>.
/// </summary>
/// <param name="Model">The Hub id as given (<c>org/name[@revision]</c>) or the canonical absolute path of a local model folder.</param>
/// <param name="Fingerprint"><c>sha256:…</c> of the config and weight files (<see cref="Microsoft.ML.Clip.Checkpoints.CheckpointFingerprint"/>), or null in an old file.</param>
/// <param name="Kind">Which tower made the vectors: <see cref="VideoKind"/>, <see cref="ImageKind"/> or <see cref="TextKind"/>.</param>
/// <param name="Frames">Frames per clip for media embeddings (the processor's num_frames), else null.</param>
/// <param name="Sampling">The frame sampling for media embeddings (<c>uniform</c>, <c>stride:K</c>, <c>clips:N</c>), else null.</param>
/// <param name="Template">The prompt template for text embeddings (<c>{}</c> is the text itself), else null.</param>
/// <param name="Precision">
/// The arithmetic of the model's linear layers, <c>float32</c> or <c>int8</c> (<c>clip embed --precision</c>); null in a file
/// written before it was recorded, which means float32 (the only precision then).
/// </param>
internal sealed record EmbeddingProvenance(string Model, string? Fingerprint, string? Kind, int? Frames, string? Sampling, string? Template, string? Precision = null)
{
    /// <summary>The value of <see cref="Precision"/> for float32 models.</summary>
    public const string Float32 = "float32";

    /// <summary>The value of <see cref="Precision"/> for int8 models.</summary>
    public const string Int8 = "int8";

    /// <summary>X-CLIP video features (<c>get_video_features</c>) of videos or images.</summary>
    public const string VideoKind = "video";

    /// <summary>AltCLIP image features (<c>get_image_features</c>) of images or video frames.</summary>
    public const string ImageKind = "image";

    /// <summary>Text features (<c>get_text_features</c>).</summary>
    public const string TextKind = "text";

    /// <summary>The names of the provenance fields, in the order files write them (CSV columns after <c>input</c>).</summary>
    public static IReadOnlyList<string> FieldNames { get; } = ["model", "fingerprint", "kind", "frames", "sampling", "template", "precision"];

    /// <summary>The precision the embeddings were made in: <see cref="Precision"/>, or float32 for a file that does not record it.</summary>
    public string EffectivePrecision => Precision ?? Float32;

    /// <summary>True when the record says how the embeddings were made (not only which model): written by this version.</summary>
    public bool IsComplete => Fingerprint is not null && Kind is not null;

    /// <summary>The fields by name (<see cref="FieldNames"/> order); null values are written as empty (CSV) or left out.</summary>
    public IReadOnlyList<(string Name, string? Value)> Fields() =>
    [
        ("model", Model),
        ("fingerprint", Fingerprint),
        ("kind", Kind),
        ("frames", Frames?.ToString(CultureInfo.InvariantCulture)),
        ("sampling", Sampling),
        ("template", Template),
        ("precision", Precision),
    ];

    /// <summary>Reads the fields written by <see cref="Fields"/>.</summary>
    /// <param name="get">The value of a field by name, or null/empty when absent.</param>
    /// <param name="where">Where the fields were read, for errors (e.g. <c>'e.csv' row 3</c>).</param>
    /// <exception cref="InvalidDataException">A field holds a value of the wrong kind.</exception>
    public static EmbeddingProvenance FromFields(Func<string, string?> get, string where)
    {
        string? Get(string name) => get(name) is { Length: > 0 } value ? value : null;
        int? frames = null;
        if (Get("frames") is string framesText)
        {
            frames = int.TryParse(framesText, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
                ? n
                : throw new InvalidDataException($"{where}: 'frames' is '{framesText}', expected a positive whole number.");
        }

        string? precision = Get("precision");
        if (precision is not (null or Float32 or Int8))
        {
            throw new InvalidDataException($"{where}: 'precision' is '{precision}', expected '{Float32}' or '{Int8}'.");
        }

        return new EmbeddingProvenance(Get("model") ?? string.Empty, Get("fingerprint"), Get("kind"), frames, Get("sampling"), Get("template"), precision);
    }

    /// <summary>
    /// What differs between the embeddings this record describes and <paramref name="other"/>, in words, or null when
    /// they were made alike. The model's name is not compared when both fingerprints are known (the same weights
    /// under another path or id make the same embeddings).
    /// </summary>
    /// <param name="other">The other record.</param>
    /// <param name="compareSettings">
    /// False to compare only the model and its precision (search embeds a query with the text tower, whatever the frames,
    /// in the precision the file records).
    /// </param>
    public string? Difference(EmbeddingProvenance other, bool compareSettings = true)
    {
        var differences = new List<string>();
        if (Fingerprint is not null && other.Fingerprint is not null)
        {
            if (Fingerprint != other.Fingerprint)
            {
                differences.Add($"the model weights ('{Model}' {Fingerprint} vs '{other.Model}' {other.Fingerprint})");
            }
        }
        else if (Model != other.Model)
        {
            differences.Add($"the model ('{Model}' vs '{other.Model}')");
        }

        if (EffectivePrecision != other.EffectivePrecision)
        {
            differences.Add($"--precision ('{EffectivePrecision}' vs '{other.EffectivePrecision}')");
        }

        if (compareSettings)
        {
            Compare("the embedding kind", Kind, other.Kind);
            Compare("--frames", Frames?.ToString(CultureInfo.InvariantCulture), other.Frames?.ToString(CultureInfo.InvariantCulture));
            Compare("--sampling", Sampling, other.Sampling);
            Compare("--template", Template, other.Template);
        }

        return differences.Count == 0 ? null : string.Join("; ", differences);

        void Compare(string what, string? mine, string? theirs)
        {
            if (mine != theirs)
            {
                differences.Add($"{what} ({Show(mine)} vs {Show(theirs)})");
            }
        }

        static string Show(string? value) => value is null ? "none" : $"'{value}'";
    }
}
