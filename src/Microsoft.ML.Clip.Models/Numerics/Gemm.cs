using System.Numerics.Tensors;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>
/// General matrix multiplication on row-major float matrices, in the two layouts the models need.
/// </summary>
public static class Gemm
{
    /// <summary><c>C[m,n] (+)= A[m,k] · B[k,n]</c>.</summary>
    /// <param name="a">A, row-major <c>[m, k]</c>.</param>
    /// <param name="b">B, row-major <c>[k, n]</c>.</param>
    /// <param name="c">C, row-major <c>[m, n]</c>.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        CheckSizes(a.Length, b.Length, c.Length, m, k, n);
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * n, n);
            if (!accumulate)
            {
                row.Clear();
            }

            for (int p = 0; p < k; p++)
            {
                // row += A[i,p] · B[p,:]
                TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), a[(i * k) + p], row, row);
            }
        }
    }

    /// <summary><c>C[m,n] (+)= A[m,k] · B[n,k]ᵀ</c>: the <c>nn.Linear</c> layout, where B is stored <c>[out, in]</c>.</summary>
    /// <param name="a">A, row-major <c>[m, k]</c>.</param>
    /// <param name="b">B, row-major <c>[n, k]</c>.</param>
    /// <param name="c">C, row-major <c>[m, n]</c>.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A and of B.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void MatMulTransposed(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        CheckSizes(a.Length, b.Length, c.Length, m, k, n);
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> aRow = a.Slice(i * k, k);
            for (int j = 0; j < n; j++)
            {
                float dot = TensorPrimitives.Dot(aRow, b.Slice(j * k, k));
                c[(i * n) + j] = accumulate ? c[(i * n) + j] + dot : dot;
            }
        }
    }

    private static void CheckSizes(int aLength, int bLength, int cLength, int m, int k, int n)
    {
        if (m < 0 || k < 0 || n < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(m), $"Matrix sizes must be non-negative; got m={m}, k={k}, n={n}.");
        }

        if (aLength < (long)m * k || bLength < (long)k * n || cLength < (long)m * n)
        {
            throw new ArgumentException(
                $"Buffers too small for a [{m}, {k}]·[{k}, {n}] product: A has {aLength}, B {bLength}, C {cLength} values.");
        }
    }
}
