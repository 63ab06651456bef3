using Microsoft.ML.Transforms.Internal;

namespace Microsoft.ML.Transforms;

/// <summary>Adds the AltCLIP image embedding (<c>get_image_features</c>) of an image path or preprocessed pixels.</summary>
public sealed class AltClipImageFeaturizer : ClipTransformerBase
{
    internal AltClipImageFeaturizer(AltClipImageFeaturizerEstimator.Options options)
        : base(nameof(AltClipImageFeaturizer), Checked(options), options.InputColumnName ?? options.OutputColumnName, CreateFunction(options), f => [new VectorOutputColumn(options.OutputColumnName, f.OutputLength)])
    {
        OutputColumnName = options.OutputColumnName;
    }

    /// <summary>The embedding column.</summary>
    public string OutputColumnName { get; }

    internal override TransformerState ToState(string? savedFileFolder)
    {
        TransformerState state = BaseState(nameof(AltClipImageFeaturizer), savedFileFolder);
        state.OutputColumnName = OutputColumnName;
        return state;
    }

    private static AltClipImageFeaturizerEstimator.Options Checked(AltClipImageFeaturizerEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(AltClipImageFeaturizer));
        return options;
    }

    private static ClipFunction CreateFunction(AltClipImageFeaturizerEstimator.Options options)
    {
        IClipModelLoader loader = ClipModelLoader.For(options);
        string model = options.ModelPath;
        return new ImageEmbeddingFunction(new(() => loader.LoadImageEmbedder(model), LazyThreadSafetyMode.ExecutionAndPublication));
    }
}

/// <summary>Estimator for <see cref="AltClipImageFeaturizer"/> (nothing to train).</summary>
public sealed class AltClipImageFeaturizerEstimator : ClipEstimatorBase<AltClipImageFeaturizer>
{
    internal AltClipImageFeaturizerEstimator(TransformsCatalog catalog, Options options)
        : base(catalog, new AltClipImageFeaturizer(options))
    {
    }

    /// <summary>Options of <see cref="AltClipImageFeaturizerEstimator"/>.</summary>
    public sealed class Options : ClipEmbeddingOptions
    {
    }
}
