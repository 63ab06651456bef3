namespace Microsoft.ML.Transforms;

/// <summary>Options of the embedding (featurizer) transforms.</summary>
public abstract class ClipEmbeddingOptions : ClipTransformOptions
{
    /// <summary>The output column: a known-size vector of Single holding the embedding.</summary>
    public string OutputColumnName { get; set; } = "Features";

    internal override void Validate(string what)
    {
        base.Validate(what);
        if (string.IsNullOrEmpty(OutputColumnName))
        {
            throw new ArgumentException($"{what}: OutputColumnName is empty.", nameof(OutputColumnName));
        }
    }
}
