using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>Small tensor manipulations the model code needs (copies, token selection, reductions); the heavy math is in Numerics.</summary>
internal static class TensorOps
{
    /// <summary><c>a + b</c> (same shapes) into a new tensor.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        RequireSameLength(a, b);
        var result = new Tensor(a.Shape.ToArray());
        TensorPrimitives.Add(a.Span, b.Span, result.Span);
        return result;
    }

    /// <summary><c>target += addend</c> (same number of elements).</summary>
    public static void AddInPlace(Tensor target, Tensor addend)
    {
        RequireSameLength(target, addend);
        TensorPrimitives.Add(target.Span, addend.Span, target.Span);
    }

    /// <summary>Adds <paramref name="row"/> (length <c>width</c>) to every row of <paramref name="target"/> <c>[..., rows, width]</c> in place, cycling through <paramref name="row"/> when it holds several rows.</summary>
    public static void AddBroadcast(Tensor target, ReadOnlySpan<float> row)
    {
        Span<float> values = target.Span;
        for (int start = 0; start < values.Length; start += row.Length)
        {
            TensorPrimitives.Add(values.Slice(start, row.Length), row, values.Slice(start, row.Length));
        }
    }

    /// <summary><c>x [n, length, width]</c> → token <paramref name="index"/> of each item, <c>[n, width]</c>.</summary>
    public static Tensor SelectToken(Tensor x, int index)
    {
        var result = new Tensor(x.Dim(0), x.Dim(2));
        SelectToken(x, index, result.Span);
        return result;
    }

    /// <summary><c>x [n, length, width]</c> → token <paramref name="index"/> of each item, into <paramref name="result"/> <c>[n, width]</c>.</summary>
    public static void SelectToken(Tensor x, int index, Span<float> result)
    {
        int n = x.Dim(0), length = x.Dim(1), width = x.Dim(2);
        for (int i = 0; i < n; i++)
        {
            x.Span.Slice(((i * length) + index) * width, width).CopyTo(result.Slice(i * width, width));
        }
    }

    /// <summary><c>x [n, length, width]</c> → token <c>positions[i]</c> of each item <c>i</c>, into <paramref name="result"/> <c>[n, width]</c>.</summary>
    public static void SelectTokens(Tensor x, ReadOnlySpan<int> positions, Span<float> result)
    {
        int n = x.Dim(0), length = x.Dim(1), width = x.Dim(2);
        for (int i = 0; i < n; i++)
        {
            x.Span.Slice(((i * length) + positions[i]) * width, width).CopyTo(result.Slice(i * width, width));
        }
    }

    /// <summary><c>x [n, length, width]</c> → tokens <paramref name="start"/>…+<paramref name="count"/> of each item, <c>[n, count, width]</c>.</summary>
    public static Tensor TakeTokens(Tensor x, int start, int count)
    {
        int n = x.Dim(0), length = x.Dim(1), width = x.Dim(2);
        var result = new Tensor(n, count, width);
        for (int i = 0; i < n; i++)
        {
            x.Span.Slice(((i * length) + start) * width, count * width).CopyTo(result.Span.Slice(i * count * width, count * width));
        }

        return result;
    }

    /// <summary>
    /// Appends one token per item, given as a sum: <c>x [n, length, width]</c>, <c>token</c> and <c>addend</c> <c>[n, width]</c>
    /// → <paramref name="result"/> <c>[n, length + 1, width]</c> with <c>result[i, length] = token[i] + addend[i]</c>
    /// (split over the worker pool).
    /// </summary>
    public static void AppendTokenSum(Tensor x, ReadOnlySpan<float> token, ReadOnlySpan<float> addend, Tensor result)
    {
        int n = x.Dim(0), length = x.Dim(1), width = x.Dim(2);
        if (!result.HasShape(n, length + 1, width))
        {
            throw new ArgumentException($"Appending a token to {x} gives [{n}, {length + 1}, {width}]; got a result of {result}.", nameof(result));
        }

        AppendTokenJob.Run(x.Span, token, addend, result.Span, n, length, width, NumericsOptions.MaxDegreeOfParallelism);
    }

    /// <summary>Mean over axis 1: <c>x [a, b, c]</c> → <c>[a, c]</c>, summing in order as <c>torch.mean</c> does on CPU for small sizes.</summary>
    public static Tensor MeanOverAxis1(Tensor x)
    {
        int a = x.Dim(0), b = x.Dim(1), c = x.Dim(2);
        var result = new Tensor(a, c);
        var sum = new double[c];
        for (int i = 0; i < a; i++)
        {
            Array.Clear(sum);
            for (int j = 0; j < b; j++)
            {
                ReadOnlySpan<float> row = x.Span.Slice(((i * b) + j) * c, c);
                for (int k = 0; k < c; k++)
                {
                    sum[k] += row[k];
                }
            }

            Span<float> target = result.Span.Slice(i * c, c);
            for (int k = 0; k < c; k++)
            {
                target[k] = (float)(sum[k] / b);
            }
        }

        return result;
    }

    /// <summary>Divides every row of the last axis by its L2 norm (<c>x / x.norm(p=2, dim=-1, keepdim=True)</c>).</summary>
    public static Tensor L2Normalize(Tensor x)
    {
        int width = x.Dim(-1);
        var result = new Tensor(x.Shape.ToArray());
        for (int start = 0; start < x.Length; start += width)
        {
            ReadOnlySpan<float> row = x.Span.Slice(start, width);
            double squares = 0;
            foreach (float v in row)
            {
                squares += (double)v * v;
            }

            float norm = (float)Math.Sqrt(squares);
            TensorPrimitives.Divide(row, norm, result.Span.Slice(start, width));
        }

        return result;
    }

    /// <summary>Transposes a matrix <c>[rows, columns]</c> → <c>[columns, rows]</c>.</summary>
    public static Tensor Transpose(Tensor x)
    {
        int rows = x.Dim(0), columns = x.Dim(1);
        var result = new Tensor(columns, rows);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                result.Span[(c * rows) + r] = x.Span[(r * columns) + c];
            }
        }

        return result;
    }

    /// <summary>Multiplies every value by <paramref name="factor"/> into a new tensor.</summary>
    public static Tensor Scale(Tensor x, float factor)
    {
        var result = new Tensor(x.Shape.ToArray());
        TensorPrimitives.Multiply(x.Span, factor, result.Span);
        return result;
    }

    private static void RequireSameLength(Tensor a, Tensor b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Cannot add tensors of shapes {a} and {b}.");
        }
    }
}
