namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// Opens the weights of a model folder the way <c>transformers</c> chooses them: <c>model.safetensors</c>, then a
/// sharded <c>model.safetensors.index.json</c>, then <c>pytorch_model.bin</c>, then <c>pytorch_model.bin.index.json</c>.
/// </summary>
public static class CheckpointLoader
{
    /// <summary><c>model.safetensors</c>.</summary>
    public const string SafeTensorsFileName = "model.safetensors";

    /// <summary><c>model.safetensors.index.json</c> (sharded safetensors).</summary>
    public const string SafeTensorsIndexFileName = "model.safetensors.index.json";

    /// <summary><c>pytorch_model.bin</c>.</summary>
    public const string PyTorchFileName = "pytorch_model.bin";

    /// <summary><c>pytorch_model.bin.index.json</c> (sharded PyTorch).</summary>
    public const string PyTorchIndexFileName = "pytorch_model.bin.index.json";

    /// <summary>The weight files looked for in a folder, in order of preference.</summary>
    public static IReadOnlyList<string> WeightFileNames { get; } =
        new[] { SafeTensorsFileName, SafeTensorsIndexFileName, PyTorchFileName, PyTorchIndexFileName };

    /// <summary>Returns the path of the preferred weight file in <paramref name="folder"/>, or null when there is none.</summary>
    /// <param name="folder">A model folder.</param>
    public static string? FindWeightFile(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return WeightFileNames.Select(name => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>Opens the weights of a model folder, or a single weight file.</summary>
    /// <param name="path">A model folder (weights chosen by <see cref="WeightFileNames"/>) or a weight/index file.</param>
    /// <exception cref="FileNotFoundException">The folder has none of the weight files; the message lists them.</exception>
    /// <exception cref="InvalidDataException">The weight file is corrupt.</exception>
    public static ITensorStore Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path))
        {
            return OpenFile(path);
        }

        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"The model folder '{Path.GetFullPath(path)}' does not exist.");
        }

        string weights = FindWeightFile(path)
            ?? throw new FileNotFoundException(
                $"The model folder '{Path.GetFullPath(path)}' has no weights: looked for {string.Join(", ", WeightFileNames)}. Download them (e.g. `huggingface-cli download <org>/<name>`) or pass the folder that contains them.");
        return OpenFile(weights);
    }

    /// <summary>Opens one weight file by its name: <c>*.safetensors</c>, <c>*.index.json</c> (sharded) or a PyTorch zip (<c>*.bin</c>, <c>*.pt</c>, <c>*.pth</c>).</summary>
    /// <param name="file">The file path.</param>
    public static ITensorStore OpenFile(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase))
        {
            return ShardedTensorStore.Open(file);
        }

        if (file.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            return SafeTensorsFile.Open(file);
        }

        return PyTorchCheckpoint.Open(file);
    }
}
