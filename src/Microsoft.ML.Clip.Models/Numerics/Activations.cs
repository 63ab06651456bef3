using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>Element-wise activation kernels, in place, vectorised.</summary>
public static class Activations
{
    /// <summary>Applies <paramref name="activation"/> to every value of <paramref name="values"/> in place.</summary>
    /// <param name="values">The values to transform.</param>
    /// <param name="activation">The activation.</param>
    public static void Apply(Span<float> values, Activation activation) => Apply(values, activation, Avx512F.IsSupported);

    /// <summary>Applies <paramref name="activation"/> with 512-bit vectors or with <see cref="Vector{T}"/> (tests force each).</summary>
    internal static void Apply(Span<float> values, Activation activation, bool wide)
    {
        switch (activation)
        {
            case Activation.None:
                break;
            case Activation.QuickGelu:
                Map<QuickGeluOperator>(values, wide);
                break;
            case Activation.Gelu:
                Map<GeluOperator>(values, wide);
                break;
            case Activation.Tanh:
                Map<TanhOperator>(values, wide);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>Quick GELU in place: <c>x·σ(1.702·x)</c>.</summary>
    /// <param name="values">The values to transform.</param>
    public static void QuickGelu(Span<float> values) => Apply(values, Activation.QuickGelu);

    /// <summary>Exact (erf) GELU in place: <c>x·½·(1 + erf(x/√2))</c>, as <c>torch.nn.functional.gelu</c>; within a few float ulps.</summary>
    /// <param name="values">The values to transform.</param>
    public static void Gelu(Span<float> values) => Apply(values, Activation.Gelu);

    /// <summary>The hyperbolic tangent in place.</summary>
    /// <param name="values">The values to transform.</param>
    public static void Tanh(Span<float> values) => Apply(values, Activation.Tanh);

    /// <summary>Applies <typeparamref name="TOperator"/> vector by vector; the tail goes through a padded vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Map<TOperator>(Span<float> values, bool wide)
        where TOperator : struct, IVectorOperator
    {
        if (wide)
        {
            Map512<TOperator>(values);
            return;
        }

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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Map512<TOperator>(Span<float> values)
        where TOperator : struct, IVectorOperator
    {
        ref float start = ref MemoryMarshal.GetReference(values);
        int i = 0;
        for (; i <= values.Length - 16; i += 16)
        {
            ref float at = ref Unsafe.Add(ref start, i);
            TOperator.Invoke(Vector512.LoadUnsafe(ref at)).StoreUnsafe(ref at);
        }

        if (i < values.Length)
        {
            Span<float> tail = stackalloc float[16];
            tail.Clear();
            values[i..].CopyTo(tail);
            TOperator.Invoke(Vector512.Create<float>(tail)).CopyTo(tail);
            tail[..(values.Length - i)].CopyTo(values[i..]);
        }
    }

    private interface IVectorOperator
    {
        static abstract Vector<float> Invoke(Vector<float> x);

        static abstract Vector512<float> Invoke(Vector512<float> x);
    }

    private readonly struct GeluOperator : IVectorOperator
    {
        public static Vector<float> Invoke(Vector<float> x) => VectorMath.Gelu(x);

        public static Vector512<float> Invoke(Vector512<float> x) => VectorMath512.Gelu(x);
    }

    private readonly struct TanhOperator : IVectorOperator
    {
        public static Vector<float> Invoke(Vector<float> x) => VectorMath.Tanh(x);

        public static Vector512<float> Invoke(Vector512<float> x) => VectorMath512.Tanh(x);
    }

    private readonly struct QuickGeluOperator : IVectorOperator
    {
        public static Vector<float> Invoke(Vector<float> x) => VectorMath.QuickGelu(x);

        public static Vector512<float> Invoke(Vector512<float> x) => VectorMath512.QuickGelu(x);
    }
}
