using System.Numerics.Tensors;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>Element-wise activation kernels, in place.</summary>
public static class Activations
{
    /// <summary>Applies <paramref name="activation"/> to every value of <paramref name="values"/> in place.</summary>
    /// <param name="values">The values to transform.</param>
    /// <param name="activation">The activation.</param>
    public static void Apply(Span<float> values, Activation activation)
    {
        switch (activation)
        {
            case Activation.None:
                break;
            case Activation.QuickGelu:
                QuickGelu(values);
                break;
            case Activation.Gelu:
                Gelu(values);
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(values, values);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>Quick GELU in place: <c>x·σ(1.702·x)</c>.</summary>
    /// <param name="values">The values to transform.</param>
    public static void QuickGelu(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float x = values[i];
            values[i] = x / (1f + MathF.Exp(-1.702f * x));
        }
    }

    /// <summary>Exact (erf) GELU in place: <c>x·½·(1 + erf(x/√2))</c>.</summary>
    /// <param name="values">The values to transform.</param>
    public static void Gelu(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            double x = values[i];
            values[i] = (float)(0.5 * x * (1.0 + MathNet.Numerics.SpecialFunctions.Erf(x / Math.Sqrt(2.0))));
        }
    }
}
