namespace Microsoft.ML.Clip.Numerics;

/// <summary>
/// A fully connected layer as <c>torch.nn.Linear</c> computes it: <c>y = x·Wᵀ + b</c>, with <c>W</c> stored
/// <c>[out, in]</c> row-major, optionally followed by a fused activation.
/// </summary>
public sealed class Linear
{
    /// <summary>Creates the layer from its weight <c>[out, in]</c> and optional bias <c>[out]</c>.</summary>
    /// <param name="weight">The weight, shape <c>[out, in]</c>.</param>
    /// <param name="bias">The bias, shape <c>[out]</c>, or null.</param>
    public Linear(Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2)
        {
            throw new ArgumentException($"A linear weight must be [out, in]; got {weight}.", nameof(weight));
        }

        if (bias is not null && !bias.HasShape(weight.Dim(0)))
        {
            throw new ArgumentException($"A linear bias must be [{weight.Dim(0)}] to match weight {weight}; got {bias}.", nameof(bias));
        }

        Weight = weight;
        Bias = bias;
    }

    /// <summary>The weight, <c>[out, in]</c>.</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, <c>[out]</c>, or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>The input width.</summary>
    public int InFeatures => Weight.Dim(1);

    /// <summary>The output width.</summary>
    public int OutFeatures => Weight.Dim(0);

    /// <summary>Computes <c>output[rows, out] = activation(input[rows, in]·Wᵀ + b)</c>.</summary>
    /// <param name="input">The input rows, <c>[rows, in]</c>.</param>
    /// <param name="output">The output rows, <c>[rows, out]</c>.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="activation">An activation fused into the output.</param>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int rows, Activation activation = Activation.None)
    {
        int n = OutFeatures;
        Gemm.MatMulTransposed(input, Weight.Span, output, rows, InFeatures, n);
        if (Bias is not null)
        {
            ReadOnlySpan<float> bias = Bias.Span;
            for (int r = 0; r < rows; r++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(output.Slice(r * n, n), bias, output.Slice(r * n, n));
            }
        }

        Activations.Apply(output[..(rows * n)], activation);
    }

    /// <summary>Applies the layer to the last axis of <paramref name="input"/> and returns a new tensor.</summary>
    /// <param name="input">Any shape ending in <c>in</c>.</param>
    /// <param name="activation">An activation fused into the output.</param>
    public Tensor Forward(Tensor input, Activation activation = Activation.None)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Dim(-1) != InFeatures)
        {
            throw new ArgumentException($"Linear layer expects inputs ending in {InFeatures}; got {input}.", nameof(input));
        }

        int[] shape = input.Shape.ToArray();
        shape[^1] = OutFeatures;
        var output = new Tensor(shape);
        Forward(input.Span, output.Span, input.Length / InFeatures, activation);
        return output;
    }
}
