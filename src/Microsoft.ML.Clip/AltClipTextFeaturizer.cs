using Microsoft.ML.Transforms.Internal;

namespace Microsoft.ML.Transforms;

/// <summary>Adds the AltCLIP text embedding (<c>get_text_features</c>) of a text column in any of AltCLIP's languages.</summary>
public sealed class AltClipTextFeaturizer : ClipTransformerBase
{
    internal AltClipTextFeaturizer(AltClipTextFeaturizerEstimator.Options options)
        : base(nameof(AltClipTextFeaturizer), Checked(options), options.InputColumnName ?? options.OutputColumnName, CreateFunction(options), f => [new VectorOutputColumn(options.OutputColumnName, f.OutputLength)])
    {
        OutputColumnName = options.OutputColumnName;
    }

    /// <summary>The embedding column.</summary>
    public string OutputColumnName { get; }

    internal override TransformerState ToState(string? savedFileFolder)
    {
        TransformerState state = BaseState(nameof(AltClipTextFeaturizer), savedFileFolder);
        state.OutputColumnName = OutputColumnName;
        return state;
    }

    private static AltClipTextFeaturizerEstimator.Options Checked(AltClipTextFeaturizerEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(AltClipTextFeaturizer));
        return options;
    }

    private static ClipFunction CreateFunction(AltClipTextFeaturizerEstimator.Options options)
    {
        IClipModelLoader loader = ClipModelLoader.For(options);
        string model = options.ModelPath;
        return new TextEmbeddingFunction(new(() => loader.LoadTextEmbedder(ClipModelFamily.AltClip, model), LazyThreadSafetyMode.ExecutionAndPublication));
    }
}

/// <summary>Estimator for <see cref="AltClipTextFeaturizer"/> (nothing to train).</summary>
public sealed class AltClipTextFeaturizerEstimator : ClipEstimatorBase<AltClipTextFeaturizer>
{
    internal AltClipTextFeaturizerEstimator(TransformsCatalog catalog, Options options)
        : base(catalog, new AltClipTextFeaturizer(options))
    {
    }

    /// <summary>Options of <see cref="AltClipTextFeaturizerEstimator"/>.</summary>
    public sealed class Options : ClipEmbeddingOptions
    {
    }
}
