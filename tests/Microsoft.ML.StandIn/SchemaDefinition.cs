// Stand-in for SchemaDefinition and the row-class attributes of Microsoft.ML 5.0.0.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace Microsoft.ML.Data
{
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
    public sealed class VectorTypeAttribute : Attribute
    {
        public VectorTypeAttribute()
        {
            Dimensions = new[] { 0 };
        }

        public VectorTypeAttribute(int size)
        {
            Dimensions = new[] { size };
        }

        public VectorTypeAttribute(params int[] dimensions)
        {
            Dimensions = dimensions;
        }

        public int[] Dimensions { get; }
    }

    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
    public sealed class ColumnNameAttribute : Attribute
    {
        public ColumnNameAttribute(string name)
        {
            Name = name;
        }

        public string Name { get; }
    }

    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
    public sealed class NoColumnAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
    public sealed class KeyTypeAttribute : Attribute
    {
        public KeyTypeAttribute(ulong count)
        {
            Count = count;
        }

        public ulong Count { get; }
    }

    public sealed class SchemaDefinition : List<SchemaDefinition.Column>
    {
        private SchemaDefinition()
        {
        }

        public enum Direction
        {
            Read = 1,
            Write = 2,
            Both = Read | Write,
        }

        public Column this[string columnName]
        {
            get => this.FirstOrDefault(c => c.ColumnName == columnName) ?? throw new KeyNotFoundException(columnName);
            set
            {
                int index = FindIndex(c => c.ColumnName == columnName);
                if (index < 0)
                {
                    throw new KeyNotFoundException(columnName);
                }

                this[index] = value;
            }
        }

        public static SchemaDefinition Create(Type userType, Direction direction = Direction.Both)
        {
            var result = new SchemaDefinition();
            foreach (var member in GetMemberInfos(userType, direction))
            {
                Type memberType = member is FieldInfo f ? f.FieldType : ((PropertyInfo)member).PropertyType;
                string name = member.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? member.Name;
                result.Add(new Column(member.Name, InferType(member, memberType), name));
            }

            return result;
        }

        internal static MemberInfo[] GetMemberInfos(Type userType, Direction direction)
        {
            var fields = userType.GetFields(BindingFlags.Public | BindingFlags.Instance).Cast<MemberInfo>();
            var properties = userType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => ((direction & Direction.Read) == 0 || p.CanRead) && ((direction & Direction.Write) == 0 || p.CanWrite) && p.GetIndexParameters().Length == 0);
            return fields.Concat(properties).Where(m => m.GetCustomAttribute<NoColumnAttribute>() == null).ToArray();
        }

        private static DataViewType InferType(MemberInfo member, Type memberType)
        {
            var key = member.GetCustomAttribute<KeyTypeAttribute>();
            if (key != null)
            {
                return new KeyDataViewType(memberType, key.Count);
            }

            Type itemType = memberType.IsArray ? memberType.GetElementType()
                : memberType.IsGenericType && memberType.GetGenericTypeDefinition() == typeof(VBuffer<>) ? memberType.GetGenericArguments()[0]
                : null;
            if (itemType != null)
            {
                int[] dims = member.GetCustomAttribute<VectorTypeAttribute>()?.Dimensions ?? new[] { 0 };
                return new VectorDataViewType(PrimitiveFromType(itemType, member), dims);
            }

            return PrimitiveFromType(memberType, member);
        }

        internal static PrimitiveDataViewType PrimitiveFromType(Type type, MemberInfo member)
        {
            if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
            {
                return TextDataViewType.Instance;
            }

            if (type == typeof(bool))
            {
                return BooleanDataViewType.Instance;
            }

            var number = new[]
            {
                NumberDataViewType.Single, NumberDataViewType.Double, NumberDataViewType.Int32, NumberDataViewType.UInt32,
                NumberDataViewType.Int64, NumberDataViewType.UInt64, NumberDataViewType.Byte, NumberDataViewType.SByte,
                NumberDataViewType.Int16, NumberDataViewType.UInt16,
            }.FirstOrDefault(n => n.RawType == type);
            return number ?? throw new InvalidOperationException($"Member {member?.Name} of type {type} cannot be expressed as a data view column type.");
        }

        public sealed class Column
        {
            private readonly List<(string Kind, DataViewType Type, object Value)> _annotations = new();

            internal Column(string memberName, DataViewType columnType, string columnName = null)
            {
                MemberName = memberName;
                ColumnType = columnType;
                ColumnName = columnName ?? memberName;
            }

            public string MemberName { get; }

            public string ColumnName { get; set; }

            public DataViewType ColumnType { get; set; }

            public DataViewSchema.Annotations Annotations
            {
                get
                {
                    var builder = new DataViewSchema.Annotations.Builder();
                    foreach (var (kind, type, value) in _annotations)
                    {
                        var method = typeof(Column).GetMethod(nameof(AddTyped), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(type.RawType);
                        method.Invoke(null, new object[] { builder, kind, type, value });
                    }

                    return builder.ToAnnotations();
                }
            }

            public void AddAnnotation<T>(string kind, T value, DataViewType annotationType)
            {
                if (annotationType.RawType != typeof(T))
                {
                    throw new ArgumentException($"Annotation type '{annotationType}' does not match value type '{typeof(T)}'.", nameof(annotationType));
                }

                _annotations.Add((kind, annotationType, value));
            }

            private static void AddTyped<T>(DataViewSchema.Annotations.Builder builder, string kind, DataViewType type, object value) =>
                builder.Add(kind, type, (ref T dst) => dst = (T)value);
        }
    }
}
