// Stand-in for the DataViewType family of Microsoft.ML 5.0.0.
using System;
using System.Collections.Immutable;
using System.Linq;

namespace Microsoft.ML.Data
{
    public abstract class DataViewType : IEquatable<DataViewType>
    {
        private protected DataViewType(Type rawType)
        {
            RawType = rawType ?? throw new ArgumentNullException(nameof(rawType));
        }

        public Type RawType { get; }

        public abstract bool Equals(DataViewType other);
    }

    public abstract class PrimitiveDataViewType : DataViewType
    {
        protected PrimitiveDataViewType(Type rawType)
            : base(rawType)
        {
        }
    }

    public abstract class StructuredDataViewType : DataViewType
    {
        protected StructuredDataViewType(Type rawType)
            : base(rawType)
        {
        }
    }

    public sealed class NumberDataViewType : PrimitiveDataViewType
    {
        private NumberDataViewType(Type rawType)
            : base(rawType)
        {
        }

        public static NumberDataViewType SByte { get; } = new(typeof(sbyte));
        public static NumberDataViewType Byte { get; } = new(typeof(byte));
        public static NumberDataViewType Int16 { get; } = new(typeof(short));
        public static NumberDataViewType UInt16 { get; } = new(typeof(ushort));
        public static NumberDataViewType Int32 { get; } = new(typeof(int));
        public static NumberDataViewType UInt32 { get; } = new(typeof(uint));
        public static NumberDataViewType Int64 { get; } = new(typeof(long));
        public static NumberDataViewType UInt64 { get; } = new(typeof(ulong));
        public static NumberDataViewType Single { get; } = new(typeof(float));
        public static NumberDataViewType Double { get; } = new(typeof(double));

        public override bool Equals(DataViewType other) => ReferenceEquals(this, other);

        public override string ToString() => RawType.Name;
    }

    public sealed class TextDataViewType : PrimitiveDataViewType
    {
        private TextDataViewType()
            : base(typeof(ReadOnlyMemory<char>))
        {
        }

        public static TextDataViewType Instance { get; } = new();

        public override bool Equals(DataViewType other) => ReferenceEquals(this, other);

        public override string ToString() => "String";
    }

    public sealed class BooleanDataViewType : PrimitiveDataViewType
    {
        private BooleanDataViewType()
            : base(typeof(bool))
        {
        }

        public static BooleanDataViewType Instance { get; } = new();

        public override bool Equals(DataViewType other) => ReferenceEquals(this, other);

        public override string ToString() => "Boolean";
    }

    public sealed class KeyDataViewType : PrimitiveDataViewType
    {
        public KeyDataViewType(Type type, ulong count)
            : base(type)
        {
            if (!IsValidDataType(type))
            {
                throw new ArgumentException("Type is not valid, it must be {byte, ushort, uint, ulong}.", nameof(type));
            }

            if (count == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(count), "The cardinality of a KeyDataViewType must not be zero.");
            }

            Count = count;
        }

        public KeyDataViewType(Type type, int count)
            : this(type, (ulong)count)
        {
            if (count <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }
        }

        public ulong Count { get; }

        public static bool IsValidDataType(Type type) =>
            type == typeof(byte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong);

        public override bool Equals(DataViewType other) => other is KeyDataViewType k && k.RawType == RawType && k.Count == Count;

        public override bool Equals(object other) => other is DataViewType t && Equals(t);

        public override int GetHashCode() => HashCode.Combine(RawType, Count);

        public override string ToString() => $"Key<{RawType.Name}, 0-{Count - 1}>";
    }

    public sealed class VectorDataViewType : StructuredDataViewType
    {
        public VectorDataViewType(PrimitiveDataViewType itemType, int size = 0)
            : this(itemType, ImmutableArray.Create(size))
        {
        }

        public VectorDataViewType(PrimitiveDataViewType itemType, params int[] dimensions)
            : this(itemType, ImmutableArray.Create(dimensions))
        {
        }

        public VectorDataViewType(PrimitiveDataViewType itemType, ImmutableArray<int> dimensions)
            : base(GetRawType(itemType))
        {
            if (dimensions.Length == 0 || dimensions.Any(d => d < 0))
            {
                throw new ArgumentOutOfRangeException(nameof(dimensions));
            }

            ItemType = itemType;
            Dimensions = dimensions;
            Size = dimensions.Any(d => d == 0) ? 0 : dimensions.Aggregate(1, (a, b) => checked(a * b));
        }

        public PrimitiveDataViewType ItemType { get; }

        public ImmutableArray<int> Dimensions { get; }

        public int Size { get; }

        public bool IsKnownSize => Size > 0;

        public override bool Equals(DataViewType other) =>
            other is VectorDataViewType v && v.ItemType.Equals(ItemType) && v.Dimensions.SequenceEqual(Dimensions);

        public override bool Equals(object other) => other is DataViewType t && Equals(t);

        public override int GetHashCode() => HashCode.Combine(ItemType, Size);

        public override string ToString() => IsKnownSize ? $"Vector<{ItemType}, {string.Join(", ", Dimensions)}>" : $"Vector<{ItemType}>";

        private static Type GetRawType(PrimitiveDataViewType itemType) =>
            typeof(VBuffer<>).MakeGenericType((itemType ?? throw new ArgumentNullException(nameof(itemType))).RawType);
    }
}
