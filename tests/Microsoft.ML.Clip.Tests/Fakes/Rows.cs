using Microsoft.ML.Data;

namespace Microsoft.ML.Clip.Tests.Fakes;

public sealed class VideoRow
{
    public string Video { get; set; } = string.Empty;

    public string Label { get; set; } = string.Empty;
}

public sealed class TextRow
{
    public string Text { get; set; } = string.Empty;
}

public sealed class FramesRow
{
    public string[] Frames { get; set; } = [];
}

public sealed class PixelsRow
{
    [VectorType(24)]
    public float[] Pixels { get; set; } = [];
}

public sealed class NumberRow
{
    public float Video { get; set; }
}

public sealed class EmbeddingRow
{
    public float[] Features { get; set; } = [];
}

public sealed class ScoredRow
{
    public float[] Score { get; set; } = [];

    public uint PredictedLabel { get; set; }
}

/// <summary>Shape helpers built through public API only (SchemaShape.Column's constructor is internal).</summary>
public sealed class NoInput
{
}

public sealed class TextShape
{
    public string Video = string.Empty;
}

public sealed class NumberShape
{
    public float Video;
}
