using Microsoft.ML.Clip.Checkpoints;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>Finds a checkpoint's <c>config.json</c> and weights in a local folder.</summary>
internal static class PretrainedFiles
{
    public const string ConfigFileName = "config.json";

    /// <summary>Returns the folder holding the checkpoint named by <paramref name="pathOrId"/>.</summary>
    public static string ResolveFolder(string pathOrId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrId);
        if (Directory.Exists(pathOrId))
        {
            return pathOrId;
        }

        if (File.Exists(pathOrId) && Path.GetFileName(pathOrId) == ConfigFileName)
        {
            return Path.GetDirectoryName(Path.GetFullPath(pathOrId))!;
        }

        throw new DirectoryNotFoundException(
            $"'{pathOrId}' is not a folder. Pass the folder that holds config.json and model.safetensors (e.g. a Hugging Face snapshot folder).");
    }

    /// <summary>The path of <c>config.json</c> in <paramref name="folder"/>.</summary>
    public static string ConfigPath(string folder)
    {
        string path = Path.Combine(folder, ConfigFileName);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The checkpoint folder '{folder}' has no {ConfigFileName}.", path);
    }

    /// <summary>Opens the weights in <paramref name="folder"/>.</summary>
    public static ITensorStore OpenWeights(string folder)
    {
        string safetensors = Path.Combine(folder, "model.safetensors");
        if (File.Exists(safetensors))
        {
            return SafeTensorsFile.Open(safetensors);
        }

        throw new FileNotFoundException($"The checkpoint folder '{folder}' has no model.safetensors.", safetensors);
    }
}
