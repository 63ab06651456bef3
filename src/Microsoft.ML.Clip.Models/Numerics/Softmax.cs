using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>Numerically stable softmax over rows, vectorised.</summary>
public static class Softmax
{
    /// <summary>Replaces each of <paramref name="rows"/> rows of <paramref name="columns"/> values by its softmax (max subtracted first).</summary>
    /// <param name="values">The rows, row-major.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The row width.</param>
    /// <remarks>A row whose maximum is infinite (e.g. all <c>-∞</c>) becomes NaN, as in torch.</remarks>
    public static void Rows(Span<float> values, int rows, int columns)
    {
        if (rows < 0 || columns < 0 || values.Length < (long)rows * columns)
        {
            throw new ArgumentException($"Softmax of {rows} rows of {columns} needs {(long)rows * columns} values; got {values.Length}.", nameof(values));
        }

        for (int r = 0; r < rows; r++)
        {
            Row(values.Slice(r * columns, columns));
        }
    }

    /// <summary>Replaces <paramref name="row"/> by its softmax: <c>e^(x - max) / Σ e^(x - max)</c>.</summary>
    /// <param name="row">The values.</param>
    public static void Row(Span<float> row) => Row(row, Avx512F.IsSupported);

    /// <summary>The softmax of one row with 512-bit vectors or with <see cref="Vector{T}"/> (tests force each).</summary>
    internal static void Row(Span<float> row, bool wide)
    {
        if (row.IsEmpty)
        {
            return;
        }

        float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
        if (float.IsInfinity(max) || float.IsNaN(max))
        {
            row.Fill(float.NaN);
            return;
        }

        float sum = wide ? ExponentiateAvx512(row, max) : Exponentiate(row, max);
        System.Numerics.Tensors.TensorPrimitives.Multiply(row, 1f / sum, row);
    }

    /// <summary>Replaces each x by <c>e^(x - max)</c> and returns their sum.</summary>
    private static float Exponentiate(Span<float> row, float max)
    {
        int count = Vector<float>.Count;
        var m = new Vector<float>(max);
        Vector<float> acc = Vector<float>.Zero;
        int i = 0;
        for (; i <= row.Length - count; i += count)
        {
            Vector<float> e = VectorMath.Exp(new Vector<float>(row[i..]) - m);
            e.CopyTo(row[i..]);
            acc += e;
        }

        float sum = Vector.Sum(acc);
        if (i < row.Length)
        {
            // The tail through a padded vector (-∞ → e = 0), so it uses the same exp as the body.
            Span<float> tail = stackalloc float[count];
            tail.Fill(float.NegativeInfinity);
            row[i..].CopyTo(tail);
            Vector<float> e = VectorMath.Exp(new Vector<float>(tail) - m);
            e.CopyTo(tail);
            sum += Vector.Sum(e);
            tail[..(row.Length - i)].CopyTo(row[i..]);
        }

        return sum;
    }

    /// <summary><see cref="Exponentiate"/> with 512-bit vectors.</summary>
    private static float ExponentiateAvx512(Span<float> row, float max)
    {
        Vector512<float> m = Vector512.Create(max);
        Vector512<float> acc = Vector512<float>.Zero;
        ref float start = ref MemoryMarshal.GetReference(row);
        int i = 0;
        for (; i <= row.Length - 16; i += 16)
        {
            ref float at = ref Unsafe.Add(ref start, i);
            Vector512<float> e = VectorMath512.Exp(Vector512.LoadUnsafe(ref at) - m);
            e.StoreUnsafe(ref at);
            acc += e;
        }

        float sum = Vector512.Sum(acc);
        if (i < row.Length)
        {
            Span<float> tail = stackalloc float[16];
            tail.Fill(float.NegativeInfinity);
            row[i..].CopyTo(tail);
            Vector512<float> e = VectorMath512.Exp(Vector512.Create<float>(tail) - m);
            e.CopyTo(tail);
            sum += Vector512.Sum(e);
            tail[..(row.Length - i)].CopyTo(row[i..]);
        }

        return sum;
    }
}
