using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>Element-wise activation kernels, in place, vectorised.</summary>
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
                Tanh(values);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>Quick GELU in place: <c>x·σ(1.702·x)</c>.</summary>
    /// <param name="values">The values to transform.</param>
    public static void QuickGelu(Span<float> values) => Map<QuickGeluOperator>(values);

    /// <summary>Exact (erf) GELU in place: <c>x·½·(1 + erf(x/√2))</c>, as <c>torch.nn.functional.gelu</c>; within a few float ulps.</summary>
    /// <param name="values">The values to transform.</param>
    public static void Gelu(Span<float> values) => Map<GeluOperator>(values);

    /// <summary>The hyperbolic tangent in place.</summary>
    /// <param name="values">The values to transform.</param>
    public static void Tanh(Span<float> values) => Map<TanhOperator>(values);

    /// <summary>Applies <typeparamref name="TOperator"/> vector by vector; the tail goes through a padded vector.</summary>
    private static void Map<TOperator>(Span<float> values)
        where TOperator : struct, IVectorOperator
    {
        ref float start = ref MemoryMarshal.GetReference(values);
        int count = Vector<float>.Count;
        int i = 0;
        for (; i <= values.Length - count; i += count)
        {
            ref float at = ref Unsafe.Add(ref start, i);
            Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref at), TOperator.Invoke(Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref at))));
        }

        if (i < values.Length)
        {
            Span<float> tail = stackalloc float[count];
            tail.Clear();
            values[i..].CopyTo(tail);
            TOperator.Invoke(new Vector<float>(tail)).CopyTo(tail);
            tail[..(values.Length - i)].CopyTo(values[i..]);
        }
    }

    private interface IVectorOperator
    {
        static abstract Vector<float> Invoke(Vector<float> x);
    }

    private readonly struct GeluOperator : IVectorOperator
    {
        public static Vector<float> Invoke(Vector<float> x) => VectorMath.Gelu(x);
    }

    private readonly struct TanhOperator : IVectorOperator
    {
        public static Vector<float> Invoke(Vector<float> x) => VectorMath.Tanh(x);
    }

    private readonly struct QuickGeluOperator : IVectorOperator
    {
        public static Vector<float> Invoke(Vector<float> x) => VectorMath.QuickGelu(x);
    }
}
