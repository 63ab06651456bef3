using System.Text.Json;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// The settings of a <c>transformers</c> image processor, read from <c>preprocessor_config.json</c> with the same
/// field names and the same defaults as <c>VideoMAEImageProcessor</c> / <c>CLIPImageProcessor</c> (4.37).
/// </summary>
public sealed record ImageProcessorConfig
{
    /// <summary>ImageNet "standard" mean/std 0.5 (<c>IMAGENET_STANDARD_MEAN</c>): VideoMAE's class defaults.</summary>
    public static readonly IReadOnlyList<double> ImageNetStandardMean = [0.5, 0.5, 0.5];

    /// <summary><c>IMAGENET_STANDARD_STD</c>.</summary>
    public static readonly IReadOnlyList<double> ImageNetStandardStd = [0.5, 0.5, 0.5];

    /// <summary><c>OPENAI_CLIP_MEAN</c>: CLIP's class defaults.</summary>
    public static readonly IReadOnlyList<double> OpenAIClipMean = [0.48145466, 0.4578275, 0.40821073];

    /// <summary><c>OPENAI_CLIP_STD</c>.</summary>
    public static readonly IReadOnlyList<double> OpenAIClipStd = [0.26862954, 0.26130258, 0.27577711];

    /// <summary><c>do_resize</c>.</summary>
    public bool DoResize { get; init; } = true;

    /// <summary><c>size["shortest_edge"]</c>, or null when <c>size</c> gives an exact height and width.</summary>
    public int? ShortestEdge { get; init; } = 224;

    /// <summary><c>size["height"]</c> when <c>size</c> is an exact size.</summary>
    public int? SizeHeight { get; init; }

    /// <summary><c>size["width"]</c> when <c>size</c> is an exact size.</summary>
    public int? SizeWidth { get; init; }

    /// <summary><c>resample</c> (Pillow's filter number).</summary>
    public ResampleFilter Resample { get; init; } = ResampleFilter.Bilinear;

    /// <summary><c>do_center_crop</c>.</summary>
    public bool DoCenterCrop { get; init; } = true;

    /// <summary><c>crop_size["height"]</c>.</summary>
    public int CropHeight { get; init; } = 224;

    /// <summary><c>crop_size["width"]</c>.</summary>
    public int CropWidth { get; init; } = 224;

    /// <summary><c>do_rescale</c>.</summary>
    public bool DoRescale { get; init; } = true;

    /// <summary><c>rescale_factor</c> (a double, as Python keeps it).</summary>
    public double RescaleFactor { get; init; } = 1.0 / 255;

    /// <summary><c>do_normalize</c>.</summary>
    public bool DoNormalize { get; init; } = true;

    /// <summary><c>image_mean</c>, one value per channel.</summary>
    public IReadOnlyList<double> ImageMean { get; init; } = ImageNetStandardMean;

    /// <summary><c>image_std</c>, one value per channel.</summary>
    public IReadOnlyList<double> ImageStd { get; init; } = ImageNetStandardStd;

    /// <summary><c>do_convert_rgb</c> (CLIP only; our decoders always deliver RGB, see the remarks of the processors).</summary>
    public bool DoConvertRgb { get; init; } = true;

    /// <summary><c>image_processor_type</c> or, for older files, <c>feature_extractor_type</c> (e.g. <c>VideoMAEFeatureExtractor</c>).</summary>
    public string? ProcessorType { get; init; }

    /// <summary><c>VideoMAEImageProcessor</c>'s defaults (bilinear, 224, ImageNet standard mean/std 0.5).</summary>
    public static ImageProcessorConfig VideoMaeDefaults { get; } = new() { ProcessorType = "VideoMAEImageProcessor" };

    /// <summary><c>CLIPImageProcessor</c>'s defaults (bicubic, 224, OpenAI CLIP mean/std, convert to RGB).</summary>
    public static ImageProcessorConfig ClipDefaults { get; } = new()
    {
        Resample = ResampleFilter.Bicubic,
        ImageMean = OpenAIClipMean,
        ImageStd = OpenAIClipStd,
        ProcessorType = "CLIPImageProcessor",
    };

    /// <summary>True when the file names a VideoMAE processor (X-CLIP's), false for CLIP's or anything else.</summary>
    public bool IsVideoMae => ProcessorType?.Contains("VideoMAE", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Reads <c>preprocessor_config.json</c>; absent fields take the defaults of the processor it names.</summary>
    /// <param name="path">The JSON file.</param>
    /// <param name="defaults">Defaults to use; when null they are chosen from the file's processor type (VideoMAE or CLIP).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid JSON or a field has the wrong type.</exception>
    public static ImageProcessorConfig Load(string path, ImageProcessorConfig? defaults = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"'{path}' does not exist: a model folder needs the preprocessor_config.json of its Hugging Face repository.", path);
        }

        try
        {
            return Parse(File.ReadAllText(path), defaults);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"'{path}' is not a valid preprocessor_config.json: {e.Message}", e);
        }
    }

    /// <summary>Parses the JSON text of a <c>preprocessor_config.json</c>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="defaults">Defaults to use; when null they are chosen from the processor type named in the JSON.</param>
    public static ImageProcessorConfig Parse(string json, ImageProcessorConfig? defaults = null)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("the top level must be a JSON object.");
        }

        string? type = String(root, "image_processor_type") ?? String(root, "feature_extractor_type");
        ImageProcessorConfig config = defaults
            ?? (type?.Contains("VideoMAE", StringComparison.OrdinalIgnoreCase) == true ? VideoMaeDefaults : ClipDefaults);
        config = config with { ProcessorType = type ?? config.ProcessorType };

        if (root.TryGetProperty("size", out JsonElement size) && size.ValueKind != JsonValueKind.Null)
        {
            // get_size_dict(size, default_to_square=False): a bare int is the shortest edge.
            config = size.ValueKind == JsonValueKind.Number
                ? config with { ShortestEdge = size.GetInt32(), SizeHeight = null, SizeWidth = null }
                : Int(size, "shortest_edge") is int edge
                    ? config with { ShortestEdge = edge, SizeHeight = null, SizeWidth = null }
                    : config with
                    {
                        ShortestEdge = null,
                        SizeHeight = Int(size, "height") ?? throw new InvalidDataException("'size' has neither 'shortest_edge' nor 'height'."),
                        SizeWidth = Int(size, "width") ?? throw new InvalidDataException("'size' has neither 'shortest_edge' nor 'width'."),
                    };
        }

        if (root.TryGetProperty("crop_size", out JsonElement crop) && crop.ValueKind != JsonValueKind.Null)
        {
            // get_size_dict(crop_size, default_to_square=True): a bare int is a square.
            config = crop.ValueKind == JsonValueKind.Number
                ? config with { CropHeight = crop.GetInt32(), CropWidth = crop.GetInt32() }
                : config with
                {
                    CropHeight = Int(crop, "height") ?? throw new InvalidDataException("'crop_size' has no 'height'."),
                    CropWidth = Int(crop, "width") ?? throw new InvalidDataException("'crop_size' has no 'width'."),
                };
        }

        config = config with
        {
            DoResize = Bool(root, "do_resize") ?? config.DoResize,
            Resample = Int(root, "resample") is int resample ? (ResampleFilter)resample : config.Resample,
            DoCenterCrop = Bool(root, "do_center_crop") ?? config.DoCenterCrop,
            DoRescale = Bool(root, "do_rescale") ?? config.DoRescale,
            RescaleFactor = Double(root, "rescale_factor") ?? config.RescaleFactor,
            DoNormalize = Bool(root, "do_normalize") ?? config.DoNormalize,
            ImageMean = Triple(root, "image_mean") ?? config.ImageMean,
            ImageStd = Triple(root, "image_std") ?? config.ImageStd,
            DoConvertRgb = Bool(root, "do_convert_rgb") ?? config.DoConvertRgb,
        };
        config.Validate();
        return config;
    }

    /// <summary>Checks that the settings are usable (positive sizes, three means and stds, non-zero stds).</summary>
    /// <exception cref="InvalidDataException">A setting is out of range.</exception>
    public void Validate()
    {
        if (ShortestEdge is <= 0 || SizeHeight is <= 0 || SizeWidth is <= 0 || CropHeight <= 0 || CropWidth <= 0)
        {
            throw new InvalidDataException(
                $"sizes must be positive (shortest_edge {ShortestEdge}, size {SizeHeight}×{SizeWidth}, crop_size {CropHeight}×{CropWidth}).");
        }

        if (ShortestEdge is null && (SizeHeight is null || SizeWidth is null))
        {
            throw new InvalidDataException("'size' must give 'shortest_edge' or both 'height' and 'width'.");
        }

        if (ImageMean.Count != 3 || ImageStd.Count != 3 || ImageStd.Any(s => s == 0))
        {
            throw new InvalidDataException(
                $"image_mean and image_std need 3 values each (std non-zero); found [{string.Join(", ", ImageMean)}] and [{string.Join(", ", ImageStd)}].");
        }

        if (!Enum.IsDefined(Resample))
        {
            throw new InvalidDataException($"resample {(int)Resample} is not a Pillow filter (0–5).");
        }
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? v.GetInt32() : null;

    private static double? Double(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? v.GetDouble() : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? v.GetBoolean() : null;

    private static IReadOnlyList<double>? Triple(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // A single number applies to every channel (transformers broadcasts it).
        return v.ValueKind == JsonValueKind.Number
            ? [v.GetDouble(), v.GetDouble(), v.GetDouble()]
            : v.EnumerateArray().Select(x => x.GetDouble()).ToArray();
    }
}
