using System.Text.Json;
using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// A checkpoint's <c>config.json</c>, read as the typed configuration of its family (<c>model_type</c> <c>xclip</c> →
/// <see cref="XClipConfig"/>, <c>altclip</c> → <see cref="AltClipConfig"/>, with <c>transformers</c>' defaults for
/// absent fields).
/// </summary>
internal sealed class ConfigSummary
{
    private ConfigSummary(XClipConfig? xclip, AltClipConfig? altClip)
    {
        XClip = xclip;
        AltClip = altClip;
    }

    /// <summary>The X-CLIP configuration, or null for AltCLIP.</summary>
    public XClipConfig? XClip { get; }

    /// <summary>The AltCLIP configuration, or null for X-CLIP.</summary>
    public AltClipConfig? AltClip { get; }

    /// <summary><c>xclip</c> or <c>altclip</c>.</summary>
    public string ModelType => IsVideo ? "xclip" : "altclip";

    /// <summary>True for X-CLIP (a video model).</summary>
    public bool IsVideo => XClip is not null;

    /// <summary>Reads <c>config.json</c>.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The checkpoint is neither X-CLIP nor AltCLIP.</exception>
    public static ConfigSummary Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model folder has no config.json ('{path}'); is it a Hugging Face checkpoint folder?", path);
        }

        try
        {
            string? modelType;
            using (JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path)))
            {
                modelType = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("model_type", out JsonElement t) ? t.GetString() : null;
            }

            ConfigSummary summary = modelType switch
            {
                "xclip" => new ConfigSummary(XClipConfig.FromFile(path), null),
                "altclip" => new ConfigSummary(null, AltClipConfig.FromFile(path)),
                _ => throw new InvalidDataException(
                    $"'{path}': model_type is '{modelType}', but clip works with X-CLIP ('xclip') and AltCLIP ('altclip') checkpoints."),
            };
            summary.CheckVisionSize(path);
            return summary;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON ({e.Message}); restore the checkpoint's config.json.", e);
        }
    }

    /// <summary>
    /// Refuses image and patch sizes no checkpoint has (they would overflow the shapes computed from them): at most
    /// 2^20 patches per frame (real checkpoints have a few hundred).
    /// </summary>
    private void CheckVisionSize(string path)
    {
        (int image, int patch) = XClip is XClipConfig x ? (x.VisionConfig.ImageSize, x.VisionConfig.PatchSize) : (AltClip!.VisionConfig.ImageSize, AltClip.VisionConfig.PatchSize);
        if (image < 1 || patch < 1 || patch > image)
        {
            throw new InvalidDataException($"'{path}': vision_config.image_size {image} and patch_size {patch} are not a valid pair (both positive, the patch no larger than the image).");
        }

        long patches = (long)(image / patch) * (image / patch);
        if (patches > 1 << 20)
        {
            throw new InvalidDataException(
                $"'{path}': vision_config.image_size {image} with patch_size {patch} gives {patches} patches per frame; real checkpoints have a few hundred. Is config.json damaged?");
        }
    }
}
