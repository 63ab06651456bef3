namespace Microsoft.ML.Clip.Tasks;

/// <summary>
/// Zero-shot classification in plain C#: each label is put into the prompt templates, the model
/// scores every input against every class (<see cref="IZeroShotScorer{TInput}"/>) and the softmax
/// of those logits gives class probabilities.
/// </summary>
/// <typeparam name="TInput">The input kind (<see cref="VideoInput"/> or <see cref="ImageInput"/>).</typeparam>
public sealed class ZeroShotClassifier<TInput>
{
    private readonly IZeroShotScorer<TInput> _scorer;
    private readonly IReadOnlyList<IReadOnlyList<string>> _classPrompts;

    /// <summary>Creates the classifier.</summary>
    /// <param name="scorer">The model's scorer.</param>
    /// <param name="labels">The class labels.</param>
    /// <param name="templates">The prompt templates (several are combined); defaults to <c>"a video of {}"</c> for videos and <c>"a photo of {}"</c> otherwise.</param>
    public ZeroShotClassifier(IZeroShotScorer<TInput> scorer, IReadOnlyList<string> labels, IReadOnlyList<string>? templates = null)
    {
        _scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
        ArgumentNullException.ThrowIfNull(labels);
        Templates = templates ?? [typeof(TInput) == typeof(VideoInput) ? PromptTemplates.Video : PromptTemplates.Photo];
        _classPrompts = PromptTemplates.Expand(labels, Templates);
        Labels = labels.ToArray();
    }

    /// <summary>The class labels, in score order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The prompt templates.</summary>
    public IReadOnlyList<string> Templates { get; }

    /// <summary>Classifies a batch of inputs in one model call.</summary>
    /// <param name="inputs">The inputs.</param>
    /// <returns>One prediction per input, in order.</returns>
    public ClassPrediction[] Classify(IReadOnlyList<TInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0)
        {
            return [];
        }

        float[][] logits = _scorer.ScoreLogits(inputs, _classPrompts);
        if (logits.Length != inputs.Count)
        {
            throw new InvalidOperationException($"The zero-shot scorer returned {logits.Length} rows of logits for {inputs.Count} inputs.");
        }

        return logits.Select(row =>
        {
            if (row.Length != Labels.Count)
            {
                throw new InvalidOperationException($"The zero-shot scorer returned {row.Length} logits for {Labels.Count} labels.");
            }

            return new ClassPrediction(row, Labels);
        }).ToArray();
    }

    /// <summary>Classifies one input.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The prediction.</returns>
    public ClassPrediction Classify(TInput input) => Classify([input])[0];
}
