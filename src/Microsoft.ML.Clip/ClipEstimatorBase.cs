using Microsoft.ML.Transforms.Internal;

namespace Microsoft.ML.Transforms;

/// <summary>
/// Base of the X-CLIP/AltCLIP estimators. Nothing is trained: <see cref="Fit"/> checks the input
/// schema and the model reference, loads the model and returns the transformer (the same instance each time, so the
/// model is loaded once).
/// </summary>
/// <typeparam name="TTransformer">The transformer type.</typeparam>
public abstract class ClipEstimatorBase<TTransformer> : IEstimator<TTransformer>
    where TTransformer : ClipTransformerBase
{
    private readonly TransformsCatalog _catalog;
    private readonly TTransformer _transformer;

    internal ClipEstimatorBase(TransformsCatalog catalog, TTransformer transformer)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _transformer = transformer;
    }

    /// <summary>Checks the input schema and the model reference, loads the model and returns the transformer.</summary>
    /// <param name="input">The training data (only its schema is used).</param>
    /// <returns>The transformer.</returns>
    /// <exception cref="ArgumentException">The model path is a missing local folder, a folder without config.json, or a malformed Hugging Face id.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or has the wrong type.</exception>
    /// <remarks>A model that cannot be loaded fails here with the loader's error (e.g. <see cref="DirectoryNotFoundException"/>), also with <c>SkipBadRows</c>.</remarks>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _transformer.CheckInput(input.Schema, nameof(input));
        _transformer.LoadModel();
        return _transformer;
    }

    /// <summary>The input shape plus the columns this estimator's transformer adds.</summary>
    /// <param name="inputSchema">The input shape.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _transformer.CheckInput(inputSchema, nameof(inputSchema));
        return ShapeBuilder.AddColumns(_catalog, inputSchema, _transformer.OutputColumns);
    }
}
