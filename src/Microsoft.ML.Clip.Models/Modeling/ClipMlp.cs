using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>The CLIP feed-forward block (<c>CLIPMLP</c>): <c>fc2(act(fc1(x)))</c>, the activation fused into <c>fc1</c>.</summary>
internal sealed class ClipMlp
{
    private readonly Linear _fc1;
    private readonly Linear _fc2;
    private readonly Activation _activation;

    public ClipMlp(WeightScope weights, int width, int intermediate, Activation activation)
    {
        _fc1 = weights["fc1"].Linear(width, intermediate);
        _fc2 = weights["fc2"].Linear(intermediate, width);
        _activation = activation;
    }

    /// <summary><c>x [rows, width]</c> (any leading shape) → <paramref name="output"/> <c>[rows, width]</c>.</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> output, int rows)
    {
        using var hidden = ScratchTensor.Rent(rows, _fc1.OutFeatures);
        _fc1.Forward(x, hidden.Span, rows, _activation);
        _fc2.Forward(hidden.Span, output, rows);
    }
}
