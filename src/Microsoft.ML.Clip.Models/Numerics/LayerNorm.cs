using System.Runtime.CompilerServices;
using System.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>Layer normalisation over the last axis, as <c>torch.nn.LayerNorm</c>: <c>(x - mean)/√(var + eps)·γ + β</c>, biased variance.</summary>
public sealed class LayerNorm
{
    /// <summary>Creates the layer from its learned scale and shift.</summary>
    /// <param name="weight">γ, <c>[width]</c>.</param>
    /// <param name="bias">β, <c>[width]</c>.</param>
    /// <param name="epsilon">The ε added to the variance (the config's <c>layer_norm_eps</c>).</param>
    public LayerNorm(Tensor weight, Tensor bias, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        if (weight.Rank != 1 || !bias.HasShape(weight.Dim(0)))
        {
            throw new ArgumentException($"LayerNorm weight and bias must both be [width]; got {weight} and {bias}.");
        }

        Weight = weight;
        Bias = bias;
        Epsilon = epsilon;
    }

    /// <summary>γ, <c>[width]</c>.</summary>
    public Tensor Weight { get; }

    /// <summary>β, <c>[width]</c>.</summary>
    public Tensor Bias { get; }

    /// <summary>The ε added to the variance.</summary>
    public float Epsilon { get; }

    /// <summary>The normalised width.</summary>
    public int Width => Weight.Dim(0);

    /// <summary>Normalises <paramref name="rows"/> rows of <see cref="Width"/> values; input and output may be the same buffer.</summary>
    /// <param name="input">The input rows.</param>
    /// <param name="output">The output rows.</param>
    /// <param name="rows">The number of rows.</param>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int rows) =>
        Forward(input, output, rows, NumericsOptions.MaxDegreeOfParallelism);

    /// <summary>The forward pass on up to <paramref name="maxThreads"/> threads (rows are split; results do not depend on the split).</summary>
    internal unsafe void Forward(ReadOnlySpan<float> input, Span<float> output, int rows, int maxThreads)
    {
        int width = Width;
        if (rows < 0 || input.Length < (long)rows * width || output.Length < (long)rows * width)
        {
            throw new ArgumentException(
                $"LayerNorm of width {width} on {rows} rows needs input and output of {(long)rows * width} values; got {input.Length} and {output.Length}.");
        }

        fixed (float* x = input)
        fixed (float* y = output)
        {
            RowJob.Run(x, null, null, y, this, width, rows, rows, rows, maxThreads);
        }
    }

    /// <summary>
    /// Normalises rows taken from groups without copying them first: output row <c>r</c> is the norm of input row
    /// <c>(r / groupRows)·inputGroupRows + r % groupRows</c> (e.g. the patch tokens of each frame, skipping its class token,
    /// with <paramref name="input"/> starting at the first patch row).
    /// </summary>
    /// <param name="input">The input rows, from the first row used.</param>
    /// <param name="output">The normalised rows, <c>[rows, width]</c>.</param>
    /// <param name="rows">Output rows, a multiple of <paramref name="groupRows"/>.</param>
    /// <param name="groupRows">Rows used per group.</param>
    /// <param name="inputGroupRows">Rows per group in <paramref name="input"/> (≥ <paramref name="groupRows"/>; the rest are skipped).</param>
    /// <param name="maxThreads">Threads to split the rows over.</param>
    internal unsafe void ForwardGroups(ReadOnlySpan<float> input, Span<float> output, int rows, int groupRows, int inputGroupRows, int maxThreads)
    {
        int width = Width;
        if (rows < 0 || groupRows < 1 || inputGroupRows < groupRows || rows % groupRows != 0)
        {
            throw new ArgumentException($"LayerNorm: {rows} rows in groups of {groupRows} taken from groups of {inputGroupRows} rows do not fit.");
        }

        // The last group needs only its first groupRows rows.
        long inputValues = rows == 0 ? 0 : ((((long)(rows / groupRows) - 1) * inputGroupRows) + groupRows) * width;
        if (input.Length < inputValues || output.Length < (long)rows * width)
        {
            throw new ArgumentException(
                $"LayerNorm of width {width} on {rows} rows in groups of {groupRows} of {inputGroupRows} needs an input of {inputValues} values "
                + $"and an output of {(long)rows * width}; got {input.Length} and {output.Length}.");
        }

        fixed (float* x = input)
        fixed (float* y = output)
        {
            RowJob.Run(x, null, null, y, this, width, rows, groupRows, inputGroupRows, maxThreads);
        }
    }

    /// <summary>
    /// A residual connection and the norm that follows it, in one pass over the rows: <c>sum = residual + update</c>
    /// (as <c>torch</c>'s element-wise add rounds), then <c>output = LayerNorm(sum)</c>.
    /// </summary>
    /// <param name="residual">The residual rows; with <paramref name="inputGroupRows"/> &gt; <paramref name="groupRows"/>,
    /// groups of <paramref name="inputGroupRows"/> rows of which the first <paramref name="groupRows"/> are used.</param>
    /// <param name="update">The rows added to <paramref name="residual"/>, laid out like it.</param>
    /// <param name="sum">The sums, <c>[rows, width]</c>.</param>
    /// <param name="output">The normalized sums, <c>[rows, width]</c>.</param>
    /// <param name="rows">Output rows.</param>
    /// <param name="groupRows">Output rows per group (<paramref name="rows"/> for one group).</param>
    /// <param name="inputGroupRows">Input rows per group (≥ <paramref name="groupRows"/>; the extra rows are skipped).</param>
    /// <param name="maxThreads">Threads to split the rows over.</param>
    internal unsafe void AddAndForward(
        ReadOnlySpan<float> residual, ReadOnlySpan<float> update, Span<float> sum, Span<float> output, int rows, int groupRows, int inputGroupRows, int maxThreads)
    {
        int width = Width;
        if (rows < 0 || groupRows < 1 || inputGroupRows < groupRows || rows % groupRows != 0)
        {
            throw new ArgumentException($"LayerNorm residual: {rows} rows in groups of {groupRows} taken from groups of {inputGroupRows} rows do not fit.");
        }

        long inputValues = (long)(rows / groupRows) * inputGroupRows * width;
        if (residual.Length < inputValues || update.Length < inputValues || sum.Length < (long)rows * width || output.Length < (long)rows * width)
        {
            throw new ArgumentException(
                $"LayerNorm residual of width {width}: inputs need {inputValues} values and outputs {(long)rows * width}; "
                + $"got {residual.Length}, {update.Length}, {sum.Length} and {output.Length}.");
        }

        fixed (float* x = residual)
        fixed (float* u = update)
        fixed (float* h = sum)
        fixed (float* y = output)
        {
            RowJob.Run(x, u, h, y, this, width, rows, groupRows, inputGroupRows, maxThreads);
        }
    }

    /// <summary>Normalizes one row of <see cref="Width"/> values (<paramref name="y"/> may be <paramref name="x"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void NormalizeRow(ReadOnlySpan<float> x, Span<float> y)
    {
        int width = x.Length;

        // Mean and biased variance with double accumulators (two passes: no E[x²]-E[x]² cancellation).
        float mean = (float)(RowStatistics.Sum(x) / width);
        double variance = RowStatistics.SumOfSquaredDeviations(x, mean) / width;
        float inverseStd = (float)(1.0 / Math.Sqrt(variance + Epsilon));
        Normalize(x, y, mean, inverseStd, Weight.Span, Bias.Span);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Normalize(ReadOnlySpan<float> x, Span<float> y, float mean, float inverseStd, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta)
    {
        int count = Vector<float>.Count;
        var m = new Vector<float>(mean);
        var s = new Vector<float>(inverseStd);
        int i = 0;
        for (; i <= x.Length - count; i += count)
        {
            Vector<float> v = (new Vector<float>(x[i..]) - m) * s;
            VectorMath.MultiplyAdd(v, new Vector<float>(gamma[i..]), new Vector<float>(beta[i..])).CopyTo(y[i..]);
        }

        for (; i < x.Length; i++)
        {
            y[i] = MathF.FusedMultiplyAdd((x[i] - mean) * inverseStd, gamma[i], beta[i]);
        }
    }

    /// <summary>Normalises the last axis of <paramref name="input"/> into a new tensor.</summary>
    /// <param name="input">Any shape ending in <see cref="Width"/>.</param>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Dim(-1) != Width)
        {
            throw new ArgumentException($"LayerNorm expects inputs ending in {Width}; got {input}.", nameof(input));
        }

        var output = new Tensor(input.Shape.ToArray());
        Forward(input.Span, output.Span, input.Length / Width);
        return output;
    }
}
