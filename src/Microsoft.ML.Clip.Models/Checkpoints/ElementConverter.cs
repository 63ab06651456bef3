using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>Converts little-endian checkpoint bytes of any <see cref="TensorDataType"/> to float32 or int64.</summary>
internal static class ElementConverter
{
    /// <summary>Widens (or narrows, for F64) <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static void ToFloat32(ReadOnlySpan<byte> source, TensorDataType dataType, Span<float> destination, string what)
    {
        int count = destination.Length;
        if ((long)source.Length != (long)count * dataType.ElementSize())
        {
            throw new InvalidDataException($"{what}: expected {(long)count * dataType.ElementSize()} bytes of {dataType}, found {source.Length}.");
        }

        switch (dataType)
        {
            case TensorDataType.Float32 when BitConverter.IsLittleEndian:
                MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                break;
            case TensorDataType.Float32:
                for (int i = 0; i < count; i++)
                {
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
                }

                break;
            case TensorDataType.Float16 when BitConverter.IsLittleEndian:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
                break;
            case TensorDataType.Float16:
                for (int i = 0; i < count; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(i * 2)..]);
                }

                break;
            case TensorDataType.BFloat16:
                // bfloat16 is the upper half of a float32: shift its 16 bits into the high half.
                for (int i = 0; i < count; i++)
                {
                    int bits = BinaryPrimitives.ReadUInt16LittleEndian(source[(i * 2)..]) << 16;
                    destination[i] = BitConverter.Int32BitsToSingle(bits);
                }

                break;
            case TensorDataType.Float64:
                for (int i = 0; i < count; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(i * 8)..]);
                }

                break;
            default:
                throw new InvalidDataException($"{what} is {dataType}, not a floating-point tensor; read it with LoadInt64.");
        }
    }

    /// <summary>Widens integer (and boolean) elements of <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static void ToInt64(ReadOnlySpan<byte> source, TensorDataType dataType, Span<long> destination, string what)
    {
        int count = destination.Length;
        if ((long)source.Length != (long)count * dataType.ElementSize())
        {
            throw new InvalidDataException($"{what}: expected {(long)count * dataType.ElementSize()} bytes of {dataType}, found {source.Length}.");
        }

        for (int i = 0; i < count; i++)
        {
            destination[i] = dataType switch
            {
                TensorDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(source[(i * 8)..]),
                TensorDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(source[(i * 4)..]),
                TensorDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(source[(i * 2)..]),
                TensorDataType.Int8 => (sbyte)source[i],
                TensorDataType.UInt8 => source[i],
                TensorDataType.Bool => source[i] != 0 ? 1 : 0,
                _ => throw new InvalidDataException($"{what} is {dataType}, not an integer tensor; read it with LoadFloat32."),
            };
        }
    }
}
