using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>What a transformer saves about itself: the model reference and its options (not the weights).</summary>
internal sealed class TransformerState
{
    public const string FormatName = "Microsoft.ML.Clip.Transformer";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public string Format { get; set; } = FormatName;

    public int Version { get; set; } = 1;

    public string Kind { get; set; } = string.Empty;

    /// <summary>Value of <see cref="ModelLocation"/>: <see cref="ModelPath"/> is a Hugging Face id.</summary>
    public const string HubLocation = "Hub";

    /// <summary>Value of <see cref="ModelLocation"/>: <see cref="ModelPath"/> is an absolute local folder.</summary>
    public const string FolderLocation = "Folder";

    /// <summary>Value of <see cref="ModelLocation"/>: <see cref="ModelPath"/> is a local folder relative to the saved file's folder ('/' separators).</summary>
    public const string RelativeFolderLocation = "RelativeFolder";

    public string ModelPath { get; set; } = string.Empty;

    /// <summary><see cref="HubLocation"/>, <see cref="FolderLocation"/> or <see cref="RelativeFolderLocation"/> (null in files saved before it was recorded: the path as given).</summary>
    public string? ModelLocation { get; set; }

    /// <summary>SHA-256 of the local model.safetensors at save time (null for Hub ids).</summary>
    public string? ModelSha256 { get; set; }

    public string InputColumnName { get; set; } = string.Empty;

    public string? OutputColumnName { get; set; }

    public int BatchSize { get; set; }

    public bool SkipBadRows { get; set; }

    /// <summary>The model's precision (null in files saved before it was recorded: float32).</summary>
    public Microsoft.ML.Clip.Modeling.ComputePrecision? Precision { get; set; }

    public ClipModelFamily? Family { get; set; }

    public string[]? Labels { get; set; }

    public string[]? Templates { get; set; }

    public string? ScoreColumnName { get; set; }

    public string? PredictedLabelColumnName { get; set; }

    public void WriteTo(Stream stream) => JsonSerializer.Serialize(stream, this, Json);

    public static TransformerState ReadFrom(Stream stream, string source)
    {
        TransformerState? state;
        try
        {
            state = JsonSerializer.Deserialize<TransformerState>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}' is not a saved Microsoft.ML.Clip transformer: {e.Message}", e);
        }

        if (state is null || state.Format != FormatName)
        {
            throw new InvalidDataException($"'{source}' is not a saved Microsoft.ML.Clip transformer (expected \"Format\": \"{FormatName}\").");
        }

        if (state.Version != 1)
        {
            throw new InvalidDataException($"'{source}' was saved by a newer Microsoft.ML.Clip (format version {state.Version}, this one reads 1); upgrade the package.");
        }

        return state;
    }
}
