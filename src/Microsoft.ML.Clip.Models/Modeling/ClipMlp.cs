using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;

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

    /// <summary>
    /// The feed-forward half of a pre-LN block, row by row: <c>h = residual + attended</c>, <c>normalized =
    /// layerNorm2(h)</c>, <c>h = h + mlp(normalized)</c>. The inputs may be groups of <paramref name="inputGroupRows"/> rows
    /// of which the first <paramref name="groupRows"/> are used (X-CLIP drops its message tokens this way).
    /// </summary>
    /// <param name="layerNorm2">The block's second layer norm.</param>
    /// <param name="residual">The block's input rows.</param>
    /// <param name="attended">The attention output, laid out like <paramref name="residual"/>.</param>
    /// <param name="h">The block's output, <c>[rows, width]</c>.</param>
    /// <param name="normalized">Scratch, <c>[rows, width]</c>.</param>
    /// <param name="update">Scratch, <c>[rows, width]</c>; may be <paramref name="attended"/> (read before it is written).</param>
    /// <param name="rows">Output rows.</param>
    /// <param name="groupRows">Output rows per group (<paramref name="rows"/> for one group).</param>
    /// <param name="inputGroupRows">Input rows per group (≥ <paramref name="groupRows"/>).</param>
    public void ForwardResidual(
        LayerNorm layerNorm2, ReadOnlySpan<float> residual, ReadOnlySpan<float> attended, Span<float> h, Span<float> normalized, Span<float> update,
        int rows, int groupRows, int inputGroupRows)
    {
        int threads = NumericsOptions.MaxDegreeOfParallelism;
        layerNorm2.AddAndForward(residual, attended, h, normalized, rows, groupRows, inputGroupRows, threads);
        Forward(normalized, update, rows);
        RowJob.Add(h, update, h, _fc2.OutFeatures, threads); // h = h + mlp
    }

    /// <summary><c>x [rows, width]</c> (any leading shape) → <paramref name="output"/> <c>[rows, width]</c>.</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> output, int rows)
    {
        using var hidden = ScratchTensor.Rent(rows, _fc1.OutFeatures);
        _fc1.Forward(x, hidden.Span, rows, _activation);
        _fc2.Forward(hidden.Span, output, rows);
    }
}
