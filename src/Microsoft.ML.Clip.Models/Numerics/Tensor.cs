using System.Text;

namespace Microsoft.ML.Clip.Numerics;

/// <summary>
/// A dense, row-major (C-order) tensor of <see cref="float"/> values: a shape plus contiguous memory.
/// Reshapes and slices along the first axis are views that share the memory; nothing is copied.
/// </summary>
/// <remarks>
/// The memory may be a managed array or a memory-mapped checkpoint file (zero-copy weights), so code
/// should use <see cref="Span"/> / <see cref="Memory"/> and never assume an array behind it.
/// </remarks>
public sealed class Tensor
{
    private readonly int[] _shape;

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    /// <param name="shape">The dimensions, outermost first. Every dimension must be ≥ 0.</param>
    public Tensor(params int[] shape)
        : this(new float[CheckedLength(shape)], shape)
    {
    }

    /// <summary>Wraps existing memory as a tensor of the given shape (no copy).</summary>
    /// <param name="data">Contiguous row-major values; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions, outermost first.</param>
    /// <exception cref="ArgumentException">The length of <paramref name="data"/> does not match the shape.</exception>
    public Tensor(Memory<float> data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int length = CheckedLength(shape);
        if (data.Length != length)
        {
            throw new ArgumentException(
                $"A tensor of shape {FormatShape(shape)} needs {length} values, but {data.Length} were given.", nameof(data));
        }

        Memory = data;
        _shape = (int[])shape.Clone();
    }

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>
    /// A tensor whose values are unspecified (not zeroed), for an output that the caller overwrites completely: a layer's
    /// fresh activation of megabytes is then neither cleared nor, on a new heap segment, touched twice.
    /// </summary>
    /// <param name="shape">The dimensions, outermost first.</param>
    internal static Tensor Uninitialized(params int[] shape) => new(GC.AllocateUninitializedArray<float>(CheckedLength(shape)), shape);

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements (the product of the dimensions).</summary>
    public int Length => Memory.Length;

    /// <summary>The values, row-major.</summary>
    public Memory<float> Memory { get; }

    /// <summary>The values as a span, row-major.</summary>
    public Span<float> Span => Memory.Span;

    /// <summary>Returns the size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    /// <param name="axis">The axis; -1 is the last.</param>
    public int Dim(int axis)
    {
        int resolved = axis < 0 ? axis + _shape.Length : axis;
        if ((uint)resolved >= (uint)_shape.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for a tensor of shape {FormatShape(_shape)}.");
        }

        return _shape[resolved];
    }

    /// <summary>The value at the given multi-dimensional index.</summary>
    /// <param name="index">One index per dimension.</param>
    public float this[params int[] index]
    {
        get => Span[Offset(index)];
        set => Span[Offset(index)] = value;
    }

    /// <summary>Returns a view with another shape of the same length; one dimension may be -1 (inferred).</summary>
    /// <param name="shape">The new dimensions.</param>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int inferred = Array.IndexOf(shape, -1);
        if (inferred >= 0)
        {
            int known = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                if (i != inferred)
                {
                    known *= shape[i];
                }
            }

            shape = (int[])shape.Clone();
            shape[inferred] = known == 0 ? 0 : Length / known;
        }

        if (CheckedLength(shape) != Length)
        {
            throw new ArgumentException($"Cannot reshape a tensor of shape {FormatShape(_shape)} to {FormatShape(shape)}.", nameof(shape));
        }

        return new Tensor(Memory, shape);
    }

    /// <summary>Returns the view of item <paramref name="index"/> along the first axis (rank decreases by one).</summary>
    /// <param name="index">The index along the first axis.</param>
    public Tensor Slice(int index)
    {
        if (Rank == 0 || (uint)index >= (uint)_shape[0])
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"Index {index} is out of range for a tensor of shape {FormatShape(_shape)}.");
        }

        int inner = Length / _shape[0];
        return new Tensor(Memory.Slice(index * inner, inner), _shape[1..]);
    }

    /// <summary>Returns the view of items <paramref name="start"/> … <paramref name="start"/>+<paramref name="count"/>-1 along the first axis.</summary>
    /// <param name="start">The first index along the first axis.</param>
    /// <param name="count">How many items to keep.</param>
    public Tensor Slice(int start, int count)
    {
        if (Rank == 0 || start < 0 || count < 0 || start + count > _shape[0])
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Range [{start}, {start + count}) is out of range for a tensor of shape {FormatShape(_shape)}.");
        }

        int inner = _shape[0] == 0 ? 0 : Length / _shape[0];
        int[] shape = (int[])_shape.Clone();
        shape[0] = count;
        return new Tensor(Memory.Slice(start * inner, count * inner), shape);
    }

    /// <summary>Returns a copy in newly allocated managed memory.</summary>
    public Tensor Clone() => new(Span.ToArray(), _shape);

    /// <summary>Copies the values into a new array.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>True when the shape equals <paramref name="shape"/>.</summary>
    /// <param name="shape">The dimensions to compare with.</param>
    public bool HasShape(params int[] shape) => Shape.SequenceEqual(shape);

    /// <inheritdoc />
    public override string ToString() => $"Tensor{FormatShape(_shape)}";

    /// <summary>Stacks tensors along the first axis into a new tensor; the other dimensions must agree.</summary>
    /// <param name="parts">Tensors <c>[n_i, …]</c> with equal trailing dimensions (one part is returned as is).</param>
    /// <returns>A tensor <c>[Σ n_i, …]</c>.</returns>
    /// <exception cref="ArgumentException">No parts, or the trailing dimensions differ.</exception>
    public static Tensor Concat(IReadOnlyList<Tensor> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            throw new ArgumentException("At least one tensor is needed to concatenate.", nameof(parts));
        }

        int[] shape = parts[0].Shape.ToArray();
        int items = 0;
        foreach (Tensor part in parts)
        {
            if (part.Rank != shape.Length || !part.Shape[1..].SequenceEqual(shape.AsSpan(1)))
            {
                throw new ArgumentException(
                    $"Cannot concatenate tensors of shapes {FormatShape(shape)} and {FormatShape(part.Shape)}: all dimensions but the first must agree.", nameof(parts));
            }

            items += part.Dim(0);
        }

        if (parts.Count == 1)
        {
            return parts[0];
        }

        shape[0] = items;
        var result = new Tensor(shape);
        int offset = 0;
        foreach (Tensor part in parts)
        {
            part.Span.CopyTo(result.Span[offset..]);
            offset += part.Length;
        }

        return result;
    }

    /// <summary>Formats a shape the way error messages in this library write it: <c>[2, 3, 224, 224]</c>.</summary>
    /// <param name="shape">The dimensions.</param>
    public static string FormatShape(ReadOnlySpan<int> shape)
    {
        var builder = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append(shape[i]);
        }

        return builder.Append(']').ToString();
    }

    private int Offset(int[] index)
    {
        if (index.Length != _shape.Length)
        {
            throw new ArgumentException($"Expected {_shape.Length} indices for a tensor of shape {FormatShape(_shape)}, got {index.Length}.", nameof(index));
        }

        int offset = 0;
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)_shape[i])
            {
                throw new IndexOutOfRangeException($"Index {index[i]} is out of range for axis {i} of a tensor of shape {FormatShape(_shape)}.");
            }

            offset = (offset * _shape[i]) + index[i];
        }

        return offset;
    }

    private static int CheckedLength(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long length = 1;
        foreach (int dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Tensor dimensions must be non-negative; got {FormatShape(shape)}.", nameof(shape));
            }

            length *= dim;
            if (length > Array.MaxLength)
            {
                throw new ArgumentException($"A tensor of shape {FormatShape(shape)} has more elements than fit in one buffer.", nameof(shape));
            }
        }

        return (int)length;
    }
}
