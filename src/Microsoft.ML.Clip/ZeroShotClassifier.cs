using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Transforms.Internal;

namespace Microsoft.ML.Transforms;

/// <summary>
/// Zero-shot classification of videos (X-CLIP, video-conditioned <c>logits_per_video</c>) or images
/// (AltCLIP) against a list of labels. Adds ML.NET's multiclass scoring columns: <c>Score</c> (softmax
/// probabilities, <c>SlotNames</c> = labels) and <c>PredictedLabel</c> (key, <c>KeyValues</c> = labels),
/// so <c>mlContext.MulticlassClassification.Evaluate</c> works given a key <c>Label</c> column.
/// </summary>
public sealed class ZeroShotClassifier : ClipTransformerBase
{
    internal ZeroShotClassifier(ZeroShotClassifierEstimator.Options options)
        : base(
            nameof(ZeroShotClassifier),
            Checked(options),
            options.InputColumnName ?? DefaultInput(options.Family),
            CreateFunction(options),
            _ => [
                new VectorOutputColumn(options.ScoreColumnName, options.Labels.Count, options.Labels.ToArray()),
                new PredictedLabelColumn(options.PredictedLabelColumnName, options.Labels.ToArray()),
            ])
    {
        Family = options.Family;
        Labels = options.Labels.ToArray();
        Templates = (options.Templates ?? [DefaultTemplate(options.Family)]).ToArray();
        ScoreColumnName = options.ScoreColumnName;
        PredictedLabelColumnName = options.PredictedLabelColumnName;
    }

    /// <summary>The model family.</summary>
    public ClipModelFamily Family { get; }

    /// <summary>The class labels, in score order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The prompt templates (several are combined).</summary>
    public IReadOnlyList<string> Templates { get; }

    /// <summary>The probabilities column.</summary>
    public string ScoreColumnName { get; }

    /// <summary>The predicted key column.</summary>
    public string PredictedLabelColumnName { get; }

    internal static string DefaultInput(ClipModelFamily family) => family == ClipModelFamily.XClip ? "Video" : "Image";

    internal static string DefaultTemplate(ClipModelFamily family) => family == ClipModelFamily.XClip ? PromptTemplates.Video : PromptTemplates.Photo;

    internal override TransformerState ToState(string? savedFileFolder)
    {
        TransformerState state = BaseState(nameof(ZeroShotClassifier), savedFileFolder);
        state.Family = Family;
        state.Labels = Labels.ToArray();
        state.Templates = Templates.ToArray();
        state.ScoreColumnName = ScoreColumnName;
        state.PredictedLabelColumnName = PredictedLabelColumnName;
        return state;
    }

    private static ZeroShotClassifierEstimator.Options Checked(ZeroShotClassifierEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(ZeroShotClassifier));
        return options;
    }

    private static ClipFunction CreateFunction(ZeroShotClassifierEstimator.Options options)
    {
        IClipModelLoader loader = ClipModelLoader.For(options);
        var prompts = PromptTemplates.Expand(options.Labels.ToArray(), (options.Templates ?? [DefaultTemplate(options.Family)]).ToArray());
        return new ZeroShotFunction(options.Family, () => loader, options.ModelPath, prompts);
    }
}

/// <summary>Estimator for <see cref="ZeroShotClassifier"/> (nothing to train).</summary>
public sealed class ZeroShotClassifierEstimator : ClipEstimatorBase<ZeroShotClassifier>
{
    internal ZeroShotClassifierEstimator(TransformsCatalog catalog, Options options)
        : base(catalog, new ZeroShotClassifier(options))
    {
    }

    /// <summary>Options of <see cref="ZeroShotClassifierEstimator"/>.</summary>
    public sealed class Options : ClipTransformOptions
    {
        /// <summary>X-CLIP (videos) or AltCLIP (images).</summary>
        public ClipModelFamily Family { get; set; } = ClipModelFamily.XClip;

        /// <summary>The class labels, in score order.</summary>
        public IReadOnlyList<string> Labels { get; set; } = [];

        /// <summary>Prompt templates with <c>{}</c> for the label; <see langword="null"/>: <c>"a video of {}"</c> (X-CLIP) or <c>"a photo of {}"</c> (AltCLIP).</summary>
        public IReadOnlyList<string>? Templates { get; set; }

        /// <summary>The probabilities column (ML.NET's multiclass convention: <c>Score</c>).</summary>
        public string ScoreColumnName { get; set; } = "Score";

        /// <summary>The predicted key column (ML.NET's multiclass convention: <c>PredictedLabel</c>).</summary>
        public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

        internal override void Validate(string what)
        {
            base.Validate(what);
            if (Labels is null || Labels.Count == 0)
            {
                throw new ArgumentException($"{what}: give at least one label.", nameof(Labels));
            }

            if (Labels.Distinct(StringComparer.Ordinal).Count() != Labels.Count)
            {
                throw new ArgumentException($"{what}: labels must be distinct; got [{string.Join(", ", Labels)}].", nameof(Labels));
            }

            if (string.IsNullOrEmpty(ScoreColumnName) || string.IsNullOrEmpty(PredictedLabelColumnName) || ScoreColumnName == PredictedLabelColumnName)
            {
                throw new ArgumentException($"{what}: ScoreColumnName and PredictedLabelColumnName must be non-empty and different.");
            }
        }
    }
}
