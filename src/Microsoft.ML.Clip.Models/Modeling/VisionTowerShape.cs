using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>The sizes of a CLIP ViT tower, read from a vision config.</summary>
internal sealed record VisionTowerShape(
    int HiddenSize,
    int Heads,
    int IntermediateSize,
    int Layers,
    int Channels,
    int ImageSize,
    int PatchSize,
    double LayerNormEpsilon,
    Activation Activation)
{
    /// <summary>Patches per side at the native resolution.</summary>
    public int GridSize => ImageSize / PatchSize;

    /// <summary>Position embeddings: one per patch plus the class position.</summary>
    public int Positions => (GridSize * GridSize) + 1;
}
