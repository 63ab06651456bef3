namespace Microsoft.ML.Clip.Cli.Models;

/// <summary>
/// What the commands need from a loaded checkpoint, X-CLIP or AltCLIP alike: embeddings of media files and texts, and
/// zero-shot scores of media against label prompts.
/// </summary>
internal interface ICliModel : IDisposable
{
    /// <summary>Where it was loaded from.</summary>
    ModelSource Source { get; }

    /// <summary>The id or canonical folder it was loaded from (<see cref="ModelSource.Identity"/>).</summary>
    string Name { get; }

    /// <summary>Frames per clip the processor gives a video.</summary>
    int Frames { get; }

    /// <summary>How the processor chooses frames from a video.</summary>
    Vision.FrameSampling Sampling { get; }

    /// <summary>True for X-CLIP (videos; images become one-frame videos), false for AltCLIP (images; videos give their middle frame).</summary>
    bool IsVideoModel { get; }

    /// <summary>The embedding size (<c>projection_dim</c>).</summary>
    int Dimension { get; }

    /// <summary>Embeds media files: one row per file (<c>get_video_features</c> / <c>get_image_features</c>).</summary>
    /// <param name="paths">Video or image files.</param>
    /// <param name="cancellationToken">Cancels decoding.</param>
    float[][] EmbedMedia(IReadOnlyList<string> paths, CancellationToken cancellationToken);

    /// <summary>Embeds texts: one row per text (<c>get_text_features</c>).</summary>
    /// <param name="texts">The texts.</param>
    float[][] EmbedTexts(IReadOnlyList<string> texts);

    /// <summary>
    /// Zero-shot probabilities of one media file over prompts (softmax of the logits, <c>[prompts]</c>; X-CLIP: the full
    /// forward with video-conditioned text embeddings). With several clips per video (<c>--sampling clips:N</c>) the
    /// probabilities of the clips are averaged, as X-CLIP's multi-view test does (the library's rule, shared with the ML.NET
    /// zero-shot classifier).
    /// </summary>
    /// <param name="path">A video or image file.</param>
    /// <param name="prompts">One prompt per label.</param>
    /// <param name="cancellationToken">Cancels decoding.</param>
    float[] ZeroShotProbabilities(string path, IReadOnlyList<string> prompts, CancellationToken cancellationToken);
}
