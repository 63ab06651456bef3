namespace Microsoft.ML.Clip.Cli.Infrastructure;

/// <summary>The checkpoints <c>clip</c> uses when <c>--model</c> is not given.</summary>
internal static class ModelDefaults
{
    /// <summary>For videos: X-CLIP base, patch 32, 8 frames.</summary>
    public const string Video = "microsoft/xclip-base-patch32";

    /// <summary>For images (and text on its own): AltCLIP, multilingual.</summary>
    public const string Image = "BAAI/AltCLIP";

    /// <summary>Help text of <c>--model</c>.</summary>
    public const string ModelOptionDescription =
        "A Hugging Face Hub id (org/name[@revision], downloaded to the shared HF cache) or a local model folder. "
        + "Default: " + Video + " for videos, " + Image + " for images.";
}
