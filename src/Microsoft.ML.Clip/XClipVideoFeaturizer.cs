using Microsoft.ML.Transforms.Internal;

namespace Microsoft.ML.Transforms;

/// <summary>Adds the X-CLIP video embedding (<c>get_video_features</c>, unconditioned) of a video path, frame paths or preprocessed pixels.</summary>
public sealed class XClipVideoFeaturizer : ClipTransformerBase
{
    internal XClipVideoFeaturizer(XClipVideoFeaturizerEstimator.Options options)
        : base(nameof(XClipVideoFeaturizer), Checked(options), options.InputColumnName ?? options.OutputColumnName, CreateFunction(options), f => [new VectorOutputColumn(options.OutputColumnName, f.OutputLength)])
    {
        OutputColumnName = options.OutputColumnName;
    }

    /// <summary>The embedding column.</summary>
    public string OutputColumnName { get; }

    internal override TransformerState ToState(string? savedFileFolder)
    {
        TransformerState state = BaseState(nameof(XClipVideoFeaturizer), savedFileFolder);
        state.OutputColumnName = OutputColumnName;
        return state;
    }

    private static XClipVideoFeaturizerEstimator.Options Checked(XClipVideoFeaturizerEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(XClipVideoFeaturizer));
        return options;
    }

    private static ClipFunction CreateFunction(XClipVideoFeaturizerEstimator.Options options)
    {
        IClipModelLoader loader = ClipModelLoader.For(options);
        string model = options.ModelPath;
        return new VideoEmbeddingFunction(new(() => loader.LoadVideoEmbedder(model), LazyThreadSafetyMode.ExecutionAndPublication));
    }
}

/// <summary>Estimator for <see cref="XClipVideoFeaturizer"/> (nothing to train).</summary>
public sealed class XClipVideoFeaturizerEstimator : ClipEstimatorBase<XClipVideoFeaturizer>
{
    internal XClipVideoFeaturizerEstimator(TransformsCatalog catalog, Options options)
        : base(catalog, new XClipVideoFeaturizer(options))
    {
    }

    /// <summary>Options of <see cref="XClipVideoFeaturizerEstimator"/>.</summary>
    public sealed class Options : ClipEmbeddingOptions
    {
    }
}
