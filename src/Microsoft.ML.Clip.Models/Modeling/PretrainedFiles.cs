using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Hub;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>Finds a checkpoint's <c>config.json</c> and weights in a local folder or the Hugging Face Hub cache.</summary>
internal static class PretrainedFiles
{
    public const string ConfigFileName = "config.json";

    /// <summary>
    /// Returns the folder holding the checkpoint named by <paramref name="pathOrId"/>: a local folder (or its
    /// <c>config.json</c>), or a Hub id <c>org/name[@revision]</c> resolved through the shared Hugging Face cache.
    /// </summary>
    public static string ResolveFolder(string pathOrId, HubOptions? hubOptions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrId);
        if (File.Exists(pathOrId) && Path.GetFileName(pathOrId) == ConfigFileName)
        {
            return Path.GetDirectoryName(Path.GetFullPath(pathOrId))!;
        }

        return HubModelResolver.Resolve(pathOrId, options: hubOptions);
    }

    /// <summary>The path of <c>config.json</c> in <paramref name="folder"/>.</summary>
    public static string ConfigPath(string folder)
    {
        string path = Path.Combine(folder, ConfigFileName);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The checkpoint folder '{folder}' has no {ConfigFileName}.", path);
    }

    /// <summary>Opens the weights in <paramref name="folder"/> (safetensors, sharded safetensors or pytorch_model.bin, as <c>transformers</c> prefers them).</summary>
    public static ITensorStore OpenWeights(string folder) => CheckpointLoader.Open(folder);
}
