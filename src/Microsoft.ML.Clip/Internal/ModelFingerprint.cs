using System.Security.Cryptography;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>
/// SHA-256 of a local model folder's <c>model.safetensors</c>, saved with a transformer so that loading
/// it against a different checkpoint at the same path fails instead of silently changing the outputs.
/// </summary>
internal static class ModelFingerprint
{
    private const string WeightsFile = "model.safetensors";

    /// <summary>The hash, or <see langword="null"/> when the model is not a local folder with model.safetensors (e.g. a Hub id).</summary>
    public static string? Compute(string modelPath)
    {
        string weights = Path.Combine(modelPath, WeightsFile);
        if (!Directory.Exists(modelPath) || !File.Exists(weights))
        {
            return null;
        }

        using var stream = File.OpenRead(weights);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    /// <summary>Throws when the folder's weights no longer hash to <paramref name="expected"/>.</summary>
    public static void Verify(string modelPath, string? expected, string source)
    {
        if (expected is null)
        {
            return;
        }

        string? actual = Compute(modelPath);
        if (actual is not null && !string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"'{source}' was saved with the model at '{modelPath}' whose {WeightsFile} had SHA-256 {expected}; the file there now has {actual}. " +
                "Restore that checkpoint, or refit the pipeline with the new one.");
        }
    }
}
