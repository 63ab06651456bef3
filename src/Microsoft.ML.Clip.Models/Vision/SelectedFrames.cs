namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// What one sequential ffmpeg run outputs for a set of wanted frames, and which wanted frame each output frame is: a
/// <c>select</c> filter keeping exactly those frames, or (frames 0…k−1, or indices too many and scattered for one
/// expression) every frame up to the last wanted one, the unwanted dropped on arrival.
/// </summary>
internal sealed class SelectedFrames
{
    private readonly int[] _sortedIndices;
    private readonly HashSet<int>? _wanted;

    private SelectedFrames(int[] sortedIndices)
    {
        _sortedIndices = sortedIndices;
        bool everyFrameFromStart = sortedIndices[^1] == sortedIndices.Length - 1;   // 0, 1, …, k−1
        string? expression = everyFrameFromStart ? null : FrameSelectExpression.For(sortedIndices);
        SelectFilter = expression is null ? null : "select=" + expression;

        // Without a select filter, output frame i is frame i; with one, it is the i-th wanted frame.
        OutputCount = SelectFilter is null ? LastFrame + 1 : sortedIndices.Length;
        _wanted = SelectFilter is null && !everyFrameFromStart ? new HashSet<int>(sortedIndices) : null;
    }

    /// <summary>The <c>select=…</c> filter, or null when every frame up to <see cref="LastFrame"/> is output.</summary>
    public string? SelectFilter { get; }

    /// <summary>How many frames ffmpeg outputs.</summary>
    public int OutputCount { get; }

    /// <summary>The last wanted frame: decoding can stop after it.</summary>
    public int LastFrame => _sortedIndices[^1];

    /// <summary>The wanted frames, for messages.</summary>
    public string Description => $"frames {FramePlan.Describe(_sortedIndices)}";

    /// <summary>The plan for distinct, ascending <paramref name="sortedIndices"/>.</summary>
    public static SelectedFrames For(int[] sortedIndices) => new(sortedIndices);

    /// <summary>Turns (output number, frame) into (frame index, frame) calls of <paramref name="onFrame"/>, dropping unwanted frames.</summary>
    public Action<int, RgbImage> Deliver(Action<int, RgbImage> onFrame) => (i, frame) =>
    {
        if (SelectFilter is not null)
        {
            onFrame(_sortedIndices[i], frame);
        }
        else if (_wanted is null || _wanted.Contains(i))
        {
            onFrame(i, frame);
        }
    };
}
