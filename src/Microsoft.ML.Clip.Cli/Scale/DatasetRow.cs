namespace Microsoft.ML.Clip.Cli.Scale;

/// <summary>
/// One row of a Parquet embeddings dataset: an input, its embedding (or the error that prevented it) and what made it.
/// </summary>
/// <param name="Path">The input's canonical path (or the text, for text inputs): the key sharding and resume use.</param>
/// <param name="Embedding">The embedding, or null when <paramref name="Error"/> says why there is none.</param>
/// <param name="Model">The model id or canonical folder that made the embedding.</param>
/// <param name="Fingerprint">A fingerprint of the model's configuration and weights (<c>sha256:…</c>).</param>
/// <param name="Kind">Which tower made the embedding: <c>video</c>, <c>image</c> or <c>text</c>.</param>
/// <param name="Frames">Frames per clip given to the model (videos), or null (images, texts).</param>
/// <param name="Sampling">The frame sampling (videos), or null (images, texts).</param>
/// <param name="Template">The prompt template (texts), or null.</param>
/// <param name="Error">Why the input has no embedding, or null.</param>
/// <param name="Precision">The model's precision, <c>float32</c> or <c>int8</c>; null (float32) in a dataset written before it was recorded.</param>
internal sealed record DatasetRow(
    string Path, float[]? Embedding, string Model, string Fingerprint, string? Kind, int? Frames, string? Sampling, string? Template, string? Error,
    string? Precision = null)
{
    /// <summary>True when the row records the same provenance (model, fingerprint, kind, frames, sampling, template, precision) as <paramref name="other"/>.</summary>
    /// <param name="other">Another row.</param>
    public bool SameProvenance(DatasetRow other) =>
        Model == other.Model && Fingerprint == other.Fingerprint && Kind == other.Kind && Frames == other.Frames
        && Sampling == other.Sampling && Template == other.Template
        && (Precision ?? Output.EmbeddingProvenance.Float32) == (other.Precision ?? Output.EmbeddingProvenance.Float32);
}
