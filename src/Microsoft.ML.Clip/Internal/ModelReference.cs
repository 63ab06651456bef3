using Microsoft.ML.Clip.Hub;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>Checks a model reference (local folder or Hugging Face id) before anything is loaded, and where it is saved.</summary>
internal static class ModelReference
{
    /// <summary>Throws <see cref="ArgumentException"/> (parameter <c>ModelPath</c>) for a missing local folder, a folder without <c>config.json</c>, or a malformed Hub id.</summary>
    public static void Check(string modelPath, string transformName)
    {
        const string Parameter = nameof(ClipTransformOptions.ModelPath);
        if (Directory.Exists(modelPath))
        {
            if (!File.Exists(Path.Combine(modelPath, "config.json")))
            {
                throw new ArgumentException(
                    $"{transformName}: the model folder '{Path.GetFullPath(modelPath)}' has no config.json; expected a Hugging Face model folder (config.json, weights, tokenizer and preprocessor files).",
                    Parameter);
            }

            return;
        }

        if (HubModelResolver.LooksLikeLocalPath(modelPath))
        {
            throw new ArgumentException(
                $"{transformName}: the model folder '{modelPath}' does not exist (full path '{Path.GetFullPath(modelPath)}'). Check the path, or give a Hugging Face model id such as 'org/name'.",
                Parameter);
        }

        if (!HubModelId.TryParse(modelPath, out _, out string? error))
        {
            throw new ArgumentException($"{transformName}: '{modelPath}' is neither an existing model folder nor a Hugging Face model id. {error}", Parameter);
        }
    }

    /// <summary>How a transformer's model reference is saved: a Hub id as is, a local folder relative to the saved file when below its folder, else absolute.</summary>
    public static (string Stored, string Location) ForSaving(string modelPath, string? savedFileFolder)
    {
        if (!Directory.Exists(modelPath))
        {
            return (modelPath, TransformerState.HubLocation);
        }

        string full = Path.GetFullPath(modelPath);
        if (savedFileFolder is not null)
        {
            string relative = Path.GetRelativePath(savedFileFolder, full);
            if (!Path.IsPathRooted(relative) && relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return (relative.Replace(Path.DirectorySeparatorChar, '/'), TransformerState.RelativeFolderLocation);
            }
        }

        return (full, TransformerState.FolderLocation);
    }

    /// <summary>The model reference to load: <paramref name="modelPathOverride"/>, or the saved one resolved against the saved file's folder.</summary>
    /// <exception cref="DirectoryNotFoundException">A saved local folder that no longer exists (the message says how to pass the override).</exception>
    public static string ForLoading(TransformerState state, string source, string? savedFileFolder, string? modelPathOverride)
    {
        if (modelPathOverride is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(modelPathOverride, "modelPath");
            return modelPathOverride;
        }

        string how = "If the model moved, pass its folder (or Hugging Face id) when loading: ClipModelPersistence.Load(mlContext, path, out inputSchema, modelPath: \"<model folder>\") " +
            "or ClipTransformerBase.Load(path, modelPath: \"<model folder>\").";
        switch (state.ModelLocation)
        {
            case TransformerState.RelativeFolderLocation:
            {
                if (savedFileFolder is null)
                {
                    throw new DirectoryNotFoundException(
                        $"'{source}' stores its model folder '{state.ModelPath}' relative to the file it was saved to, but was read from a stream. Load it from its file path. {how}");
                }

                string folder = Path.GetFullPath(Path.Combine(savedFileFolder, state.ModelPath));
                return Directory.Exists(folder)
                    ? folder
                    : throw new DirectoryNotFoundException(
                        $"'{source}' was saved with the model folder '{state.ModelPath}' relative to the saved file, i.e. '{folder}', which does not exist. {how}");
            }

            case TransformerState.FolderLocation:
                return Directory.Exists(state.ModelPath)
                    ? state.ModelPath
                    : throw new DirectoryNotFoundException($"'{source}' was saved with the model folder '{state.ModelPath}', which does not exist. {how}");

            default:
                return state.ModelPath; // a Hub id, or a file saved before locations were recorded
        }
    }
}
