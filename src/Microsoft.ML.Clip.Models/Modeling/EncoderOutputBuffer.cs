using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>Where an encoder layer writes its result: the buffer its caller passed, or a new tensor.</summary>
internal static class EncoderOutputBuffer
{
    /// <summary>
    /// <paramref name="output"/> when given (it must have <paramref name="shape"/>), else a new tensor whose values are
    /// unspecified: the layer overwrites every value.
    /// </summary>
    /// <param name="output">The caller's buffer, or null.</param>
    /// <param name="shape">The layer's output shape.</param>
    public static Tensor For(Tensor? output, params int[] shape)
    {
        if (output is null)
        {
            return Tensor.Uninitialized(shape);
        }

        return output.HasShape(shape)
            ? output
            : throw new ArgumentException($"An encoder layer's output buffer must have shape {Tensor.FormatShape(shape)}; got {output}.", nameof(output));
    }
}
