namespace Microsoft.ML.Clip.Tasks;

/// <summary>Prompt templates for zero-shot classification: <c>{}</c> is replaced by the label.</summary>
public static class PromptTemplates
{
    /// <summary>The default X-CLIP template, <c>"a video of {}"</c>.</summary>
    public const string Video = "a video of {}";

    /// <summary>The default AltCLIP/CLIP template, <c>"a photo of {}"</c>.</summary>
    public const string Photo = "a photo of {}";

    /// <summary>Puts each label into each template: result[class][template].</summary>
    /// <param name="labels">The class labels.</param>
    /// <param name="templates">The templates, each containing <c>{}</c> once or more.</param>
    /// <returns>The prompts of each class.</returns>
    public static IReadOnlyList<IReadOnlyList<string>> Expand(IReadOnlyList<string> labels, IReadOnlyList<string> templates)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(templates);
        if (labels.Count == 0)
        {
            throw new ArgumentException("Zero-shot classification needs at least one label.", nameof(labels));
        }

        if (templates.Count == 0)
        {
            throw new ArgumentException("Zero-shot classification needs at least one prompt template, e.g. \"a video of {}\".", nameof(templates));
        }

        foreach (string template in templates)
        {
            if (template is null || !template.Contains("{}", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Prompt template '{template}' has no '{{}}' placeholder for the label; write it like \"a video of {{}}\".", nameof(templates));
            }
        }

        var result = new IReadOnlyList<string>[labels.Count];
        for (int c = 0; c < labels.Count; c++)
        {
            if (string.IsNullOrEmpty(labels[c]))
            {
                throw new ArgumentException($"Label {c} is empty; every class needs a non-empty label.", nameof(labels));
            }

            result[c] = templates.Select(t => t.Replace("{}", labels[c], StringComparison.Ordinal)).ToArray();
        }

        return result;
    }
}
