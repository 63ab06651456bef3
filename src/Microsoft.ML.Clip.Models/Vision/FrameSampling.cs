using System.Globalization;

namespace Microsoft.ML.Clip.Vision;

/// <summary>The kinds of <see cref="FrameSampling"/>.</summary>
public enum FrameSamplingKind
{
    /// <summary><see cref="FrameSampler.UniformSegments"/>.</summary>
    Uniform,

    /// <summary><see cref="FrameSampler.Stride"/>.</summary>
    Stride,

    /// <summary><see cref="FrameSampler.Clips"/>.</summary>
    Clips,
}

/// <summary>
/// A frame sampling strategy as a value (what the CLI's <c>--sampling uniform|stride:K|stride:K@START|clips:N</c> parses to).
/// </summary>
/// <param name="Kind">The strategy.</param>
/// <param name="Stride">The frame stride for <see cref="FrameSamplingKind.Stride"/>.</param>
/// <param name="Start">The first frame for <see cref="FrameSamplingKind.Stride"/>; null centres the clip.</param>
/// <param name="ClipCount">The number of clips for <see cref="FrameSamplingKind.Clips"/>.</param>
public sealed record FrameSampling(FrameSamplingKind Kind, int Stride = 1, int? Start = null, int ClipCount = 1)
{
    /// <summary>Uniform segments (X-CLIP's test protocol), the default.</summary>
    public static FrameSampling Uniform { get; } = new(FrameSamplingKind.Uniform);

    /// <summary>The number of clips each video yields.</summary>
    public int ClipsPerVideo => Kind == FrameSamplingKind.Clips ? ClipCount : 1;

    /// <summary>Chooses frames: one index array per clip (a single clip unless <see cref="FrameSamplingKind.Clips"/>).</summary>
    /// <param name="frameCount">The video's frame count.</param>
    /// <param name="numFrames">Frames per clip.</param>
    public int[][] Sample(int frameCount, int numFrames) => Kind switch
    {
        FrameSamplingKind.Uniform => [FrameSampler.UniformSegments(frameCount, numFrames)],
        FrameSamplingKind.Stride => [FrameSampler.Stride(frameCount, numFrames, Stride, Start)],
        _ => FrameSampler.Clips(frameCount, numFrames, ClipCount),
    };

    /// <summary>Parses <c>uniform</c>, <c>stride:K</c>, <c>stride:K@START</c> or <c>clips:N</c> (case-insensitive).</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static FrameSampling Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "uniform")
        {
            return Uniform;
        }

        if (t.StartsWith("stride:", StringComparison.Ordinal))
        {
            string[] parts = t["stride:".Length..].Split('@');
            if (parts.Length <= 2 && TryPositive(parts[0], out int stride))
            {
                if (parts.Length == 1)
                {
                    return new FrameSampling(FrameSamplingKind.Stride, Stride: stride);
                }

                if (int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int start))
                {
                    return new FrameSampling(FrameSamplingKind.Stride, Stride: stride, Start: start);
                }
            }
        }

        if (t.StartsWith("clips:", StringComparison.Ordinal) && TryPositive(t["clips:".Length..], out int clips))
        {
            return new FrameSampling(FrameSamplingKind.Clips, ClipCount: clips);
        }

        throw new FormatException(
            $"'{text}' is not a frame sampling; use 'uniform', 'stride:K' (every K-th frame, centred), 'stride:K@START' or 'clips:N' (N clips spread over the video).");
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        FrameSamplingKind.Uniform => "uniform",
        FrameSamplingKind.Stride => Start is int s ? $"stride:{Stride}@{s}" : $"stride:{Stride}",
        _ => $"clips:{ClipCount}",
    };

    private static bool TryPositive(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
}
