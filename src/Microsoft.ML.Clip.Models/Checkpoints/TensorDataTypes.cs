namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>Sizes and file-format names of <see cref="TensorDataType"/> values.</summary>
public static class TensorDataTypes
{
    /// <summary>The number of bytes one element occupies in a checkpoint file.</summary>
    /// <param name="dataType">The element type.</param>
    public static int ElementSize(this TensorDataType dataType) => dataType switch
    {
        TensorDataType.Float64 or TensorDataType.Int64 => 8,
        TensorDataType.Float32 or TensorDataType.Int32 => 4,
        TensorDataType.Float16 or TensorDataType.BFloat16 or TensorDataType.Int16 => 2,
        TensorDataType.Int8 or TensorDataType.UInt8 or TensorDataType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dataType), dataType, "Unknown tensor data type."),
    };

    /// <summary>True for the floating-point types, which <see cref="ITensorStore.LoadFloat32"/> reads.</summary>
    /// <param name="dataType">The element type.</param>
    public static bool IsFloatingPoint(this TensorDataType dataType) =>
        dataType is TensorDataType.Float32 or TensorDataType.Float16 or TensorDataType.BFloat16 or TensorDataType.Float64;

    /// <summary>The safetensors spelling of a type (<c>F32</c>, <c>BF16</c>, …).</summary>
    /// <param name="dataType">The element type.</param>
    public static string ToSafeTensorsName(this TensorDataType dataType) => dataType switch
    {
        TensorDataType.Float32 => "F32",
        TensorDataType.Float16 => "F16",
        TensorDataType.BFloat16 => "BF16",
        TensorDataType.Int64 => "I64",
        TensorDataType.Int32 => "I32",
        TensorDataType.Float64 => "F64",
        TensorDataType.Int16 => "I16",
        TensorDataType.Int8 => "I8",
        TensorDataType.UInt8 => "U8",
        TensorDataType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(dataType), dataType, "Unknown tensor data type."),
    };

    /// <summary>Parses a safetensors dtype name, or returns null when it is not one this library reads.</summary>
    /// <param name="name">The <c>dtype</c> field of a safetensors header entry.</param>
    public static TensorDataType? FromSafeTensorsName(string? name) => name switch
    {
        "F32" => TensorDataType.Float32,
        "F16" => TensorDataType.Float16,
        "BF16" => TensorDataType.BFloat16,
        "I64" => TensorDataType.Int64,
        "I32" => TensorDataType.Int32,
        "F64" => TensorDataType.Float64,
        "I16" => TensorDataType.Int16,
        "I8" => TensorDataType.Int8,
        "U8" => TensorDataType.UInt8,
        "BOOL" => TensorDataType.Bool,
        _ => null,
    };

    /// <summary>The element count of a shape as a 64-bit number (no overflow for any valid file).</summary>
    /// <param name="shape">The dimensions.</param>
    /// <exception cref="OverflowException">The product does not fit in 64 bits.</exception>
    public static long ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int dim in shape)
        {
            count = checked(count * dim);
        }

        return count;
    }
}
