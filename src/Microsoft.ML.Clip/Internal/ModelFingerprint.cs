using Microsoft.ML.Clip.Checkpoints;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>
/// The <see cref="CheckpointFingerprint"/> of a local model folder, saved with a transformer so that loading it against
/// a different checkpoint at the same path (other weights or another config) fails instead of silently changing the
/// outputs.
/// </summary>
/// <remarks>
/// Transformers saved before the fingerprint covered config.json and every weight format stored the bare SHA-256 of
/// <c>model.safetensors</c>; such a value is still checked against that file.
/// </remarks>
internal static class ModelFingerprint
{
    private const string LegacyWeightsFile = "model.safetensors";

    /// <summary>The fingerprint, or <see langword="null"/> when the model is not a local folder with config.json and weights (e.g. a Hub id).</summary>
    public static string? Compute(string modelPath)
    {
        try
        {
            return Directory.Exists(modelPath) ? CheckpointFingerprint.Compute(modelPath) : null;
        }
        catch (FileNotFoundException)
        {
            return null;   // not a whole checkpoint folder: the model loader decides what it is
        }
    }

    /// <summary>Throws when the local folder at <paramref name="modelPath"/> no longer holds the checkpoint that hashed to <paramref name="expected"/>.</summary>
    /// <param name="modelPath">The model path the transformer will load from.</param>
    /// <param name="expected">The saved fingerprint (<c>sha256:…</c>, or a legacy bare hash of model.safetensors), or null when none was saved.</param>
    /// <param name="source">The saved file or stream, for the message.</param>
    public static void Verify(string modelPath, string? expected, string source)
    {
        if (expected is null || !Directory.Exists(modelPath))
        {
            return;   // saved from a Hub id, or loading from one: nothing local to compare
        }

        bool legacy = !expected.StartsWith(CheckpointFingerprint.Prefix, StringComparison.Ordinal);
        string legacyWeights = Path.Combine(modelPath, LegacyWeightsFile);
        string? actual = legacy
            ? (File.Exists(legacyWeights) ? CheckpointFingerprint.FileSha256(legacyWeights) : null)
            : Compute(modelPath);
        if (string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        string what = legacy ? $"whose {LegacyWeightsFile} had SHA-256 {expected}" : $"whose config.json and weights had the SHA-256 fingerprint {expected}";
        string found = actual is null
            ? (legacy ? $"there is no {LegacyWeightsFile} there now" : "the folder now lacks config.json or weights")
            : $"the files there now give {actual}";
        throw new InvalidDataException(
            $"'{source}' was saved with the model at '{modelPath}' {what}; {found}. Restore that checkpoint, or refit the pipeline with the new one.");
    }
}
