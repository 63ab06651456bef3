namespace Microsoft.ML.Clip.Modeling;

/// <summary>How a model is built from its weights (passed to <c>FromPretrained</c>, <c>FromWeights</c> and the like).</summary>
public sealed record ModelOptions
{
    /// <summary>The defaults: float32 everywhere.</summary>
    public static ModelOptions Default { get; } = new();

    /// <summary>The arithmetic of the linear layers; <see cref="ComputePrecision.Float32"/> by default.</summary>
    /// <remarks>
    /// <see cref="ComputePrecision.Int8"/> quantizes the encoder layers' weights once, when each layer first runs (or is
    /// packed), and keeps only the int8 copy; see <see cref="ComputePrecision.Int8"/> for what stays float32.
    /// </remarks>
    public ComputePrecision Precision { get; init; }

    /// <summary>Throws when <see cref="Precision"/> is not a defined value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The precision is not <c>Float32</c> or <c>Int8</c>.</exception>
    internal void Validate()
    {
        if (Precision is not (ComputePrecision.Float32 or ComputePrecision.Int8))
        {
            throw new ArgumentOutOfRangeException(nameof(Precision), Precision, "ModelOptions.Precision must be Float32 or Int8.");
        }
    }
}
