using Microsoft.ML.Clip.Modeling;

namespace Microsoft.ML.Transforms;

/// <summary>Options shared by all the X-CLIP/AltCLIP transforms.</summary>
public abstract class ClipTransformOptions
{
    /// <summary>
    /// The model: a local folder with <c>config.json</c> and weights, or a Hugging Face model id (e.g. <c>microsoft/xclip-base-patch32</c>).
    /// With the default <see cref="ClipModelLoader"/>, <c>Fit</c> rejects a missing folder, a folder without <c>config.json</c> and a
    /// malformed id (<see cref="ArgumentException"/> on this parameter); with any loader, <c>Fit</c> loads the model, so a model that
    /// cannot load fails there.
    /// </summary>
    public string ModelPath { get; set; } = string.Empty;

    /// <summary>The input column; <see langword="null"/> means the same name as the output column.</summary>
    public string? InputColumnName { get; set; }

    /// <summary>How many rows are read ahead and run through the model in one batched forward pass.</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>When a row's file is missing or unreadable: <see langword="false"/> (default) fails with the row's value in the message; <see langword="true"/> emits NaN outputs for that row and goes on.</summary>
    public bool SkipBadRows { get; set; }

    /// <summary>Loads the model; <see langword="null"/> uses <see cref="ClipModelLoader.Default"/>. Not saved with the transformer: pass it again to <c>ClipModelPersistence.Load</c>.</summary>
    public IClipModelLoader? ModelLoader { get; set; }

    /// <summary>
    /// The arithmetic of the model's linear layers: <see cref="ComputePrecision.Float32"/> (default) or the opt-in
    /// <see cref="ComputePrecision.Int8"/> (int8 encoder layers: about 4× less weight memory, faster, embeddings within about
    /// 0.999 cosine of float32). Saved with the transformer. Applies through <see cref="ClipModelLoader"/> (the default);
    /// a custom <see cref="IClipModelLoader"/> loads models in the precision it chooses.
    /// </summary>
    public ComputePrecision Precision { get; set; }

    /// <summary>Checks the common options.</summary>
    /// <param name="what">The transform's name, for messages.</param>
    internal virtual void Validate(string what)
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            throw new ArgumentException($"{what}: ModelPath is empty; give a model folder or a Hugging Face model id.", nameof(ModelPath));
        }

        if (Precision is not (ComputePrecision.Float32 or ComputePrecision.Int8))
        {
            throw new ArgumentOutOfRangeException(nameof(Precision), Precision, $"{what}: Precision must be Float32 or Int8.");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"{what}: BatchSize must be at least 1.");
        }
    }
}
