using Microsoft.ML.Transforms.Internal;

namespace Microsoft.ML.Transforms;

/// <summary>Adds the X-CLIP text embedding (<c>get_text_features</c>, unconditioned) of a text column.</summary>
public sealed class XClipTextFeaturizer : ClipTransformerBase
{
    internal XClipTextFeaturizer(XClipTextFeaturizerEstimator.Options options)
        : base(nameof(XClipTextFeaturizer), Checked(options), options.InputColumnName ?? options.OutputColumnName, CreateFunction(options), f => [new VectorOutputColumn(options.OutputColumnName, f.OutputLength)])
    {
        OutputColumnName = options.OutputColumnName;
    }

    /// <summary>The embedding column.</summary>
    public string OutputColumnName { get; }

    internal override TransformerState ToState(string? savedFileFolder)
    {
        TransformerState state = BaseState(nameof(XClipTextFeaturizer), savedFileFolder);
        state.OutputColumnName = OutputColumnName;
        return state;
    }

    private static XClipTextFeaturizerEstimator.Options Checked(XClipTextFeaturizerEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(XClipTextFeaturizer));
        return options;
    }

    private static ClipFunction CreateFunction(XClipTextFeaturizerEstimator.Options options)
    {
        IClipModelLoader loader = ClipModelLoader.For(options);
        string model = options.ModelPath;
        return new TextEmbeddingFunction(new(() => loader.LoadTextEmbedder(ClipModelFamily.XClip, model), LazyThreadSafetyMode.ExecutionAndPublication));
    }
}

/// <summary>Estimator for <see cref="XClipTextFeaturizer"/> (nothing to train).</summary>
public sealed class XClipTextFeaturizerEstimator : ClipEstimatorBase<XClipTextFeaturizer>
{
    internal XClipTextFeaturizerEstimator(TransformsCatalog catalog, Options options)
        : base(catalog, new XClipTextFeaturizer(options))
    {
    }

    /// <summary>Options of <see cref="XClipTextFeaturizerEstimator"/>.</summary>
    public sealed class Options : ClipEmbeddingOptions
    {
    }
}
