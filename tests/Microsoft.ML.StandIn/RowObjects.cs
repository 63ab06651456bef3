// Stand-in internals: mapping between user row classes and data view columns (by reflection).
using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.StandIn
{
    internal sealed class MemberBinding
    {
        public MemberBinding(MemberInfo member, SchemaDefinition.Column column)
        {
            Member = member;
            ColumnName = column.ColumnName;
            Type = column.ColumnType;
            Annotations = column.Annotations;
            MemberType = member is FieldInfo f ? f.FieldType : ((PropertyInfo)member).PropertyType;
        }

        public MemberInfo Member { get; }

        public Type MemberType { get; }

        public string ColumnName { get; }

        public DataViewType Type { get; }

        public DataViewSchema.Annotations Annotations { get; }

        public static MemberBinding[] For(Type rowType, SchemaDefinition definition, SchemaDefinition.Direction direction)
        {
            definition ??= SchemaDefinition.Create(rowType, direction);
            return definition.Select(c => new MemberBinding(
                (MemberInfo)rowType.GetField(c.MemberName) ?? rowType.GetProperty(c.MemberName)
                    ?? throw new InvalidOperationException($"No field or property '{c.MemberName}' in {rowType}."),
                c)).ToArray();
        }

        public object ReadMember(object row) => Member is FieldInfo f ? f.GetValue(row) : ((PropertyInfo)Member).GetValue(row);

        public void WriteMember(object row, object value)
        {
            if (Member is FieldInfo f)
            {
                f.SetValue(row, value);
            }
            else
            {
                ((PropertyInfo)Member).SetValue(row, value);
            }
        }

        /// <summary>Member value → data view value (string → ReadOnlyMemory&lt;char&gt;, T[] → VBuffer&lt;T&gt;).</summary>
        public object ToDataView(object value)
        {
            if (Type is VectorDataViewType vector)
            {
                if (value is Array array)
                {
                    if (vector.IsKnownSize && array.Length != vector.Size)
                    {
                        throw new InvalidOperationException(
                            $"Incorrect number of elements in vector column '{ColumnName}': expected {vector.Size}, got {array.Length}.");
                    }

                    return typeof(MemberBinding).GetMethod(nameof(ArrayToVBuffer), BindingFlags.NonPublic | BindingFlags.Static)
                        .MakeGenericMethod(vector.ItemType.RawType).Invoke(null, new object[] { array });
                }

                return value ?? Activator.CreateInstance(vector.RawType);
            }

            if (Type is TextDataViewType)
            {
                return value is string s ? s.AsMemory() : value ?? ReadOnlyMemory<char>.Empty;
            }

            return value;
        }

        /// <summary>Data view value → member value.</summary>
        public object FromDataView(object value)
        {
            if (MemberType == typeof(string))
            {
                return value.ToString();
            }

            if (MemberType.IsArray)
            {
                var dense = ((System.Collections.IEnumerable)value).Cast<object>().ToArray();
                Type element = MemberType.GetElementType();
                var array = Array.CreateInstance(element, dense.Length);
                for (int i = 0; i < dense.Length; i++)
                {
                    array.SetValue(element == typeof(string) ? dense[i].ToString() : dense[i], i);
                }

                return array;
            }

            return value;
        }

        private static VBuffer<T> ArrayToVBuffer<T>(Array array)
        {
            var values = new T[array.Length];
            for (int i = 0; i < values.Length; i++)
            {
                object item = array.GetValue(i);
                values[i] = typeof(T) == typeof(ReadOnlyMemory<char>) ? (T)(object)((item as string) ?? string.Empty).AsMemory() : (T)item;
            }

            return new VBuffer<T>(values.Length, values);
        }
    }

    internal static class Getters
    {
        public static Delegate Make(Type rawType, Func<object> fetch) =>
            (Delegate)typeof(Getters).GetMethod(nameof(MakeCore), BindingFlags.NonPublic | BindingFlags.Static)
                .MakeGenericMethod(rawType).Invoke(null, new object[] { fetch });

        public static Func<object> Reader(DataViewRow row, DataViewSchema.Column column) =>
            (Func<object>)typeof(Getters).GetMethod(nameof(ReaderCore), BindingFlags.NonPublic | BindingFlags.Static)
                .MakeGenericMethod(column.Type.RawType).Invoke(null, new object[] { row, column });

        public static ValueGetter<TValue> Cast<TValue>(Delegate getter, DataViewSchema.Column column) =>
            getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Invalid TValue in GetGetter: '{typeof(TValue)}', expected type: '{column.Type.RawType}'.");

        private static ValueGetter<T> MakeCore<T>(Func<object> fetch) => (ref T value) => value = (T)fetch();

        private static Func<object> ReaderCore<T>(DataViewRow row, DataViewSchema.Column column)
        {
            var getter = row.GetGetter<T>(column);
            return () =>
            {
                T value = default;
                getter(ref value);
                return value;
            };
        }
    }

    /// <summary>A data view over an enumerable of user objects.</summary>
    internal sealed class EnumerableDataView<TRow> : IDataView
        where TRow : class
    {
        private readonly IEnumerable<TRow> _data;
        private readonly MemberBinding[] _bindings;

        public EnumerableDataView(IEnumerable<TRow> data, SchemaDefinition definition)
        {
            _data = data;
            _bindings = MemberBinding.For(typeof(TRow), definition, SchemaDefinition.Direction.Read);
            var builder = new DataViewSchema.Builder();
            foreach (var binding in _bindings)
            {
                builder.AddColumn(binding.ColumnName, binding.Type, binding.Annotations);
            }

            Schema = builder.ToSchema();
        }

        public bool CanShuffle => false;

        public DataViewSchema Schema { get; }

        public long? GetRowCount() => _data is ICollection<TRow> c ? c.Count : null;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null) =>
            new Cursor(this, new HashSet<int>(columnsNeeded.Select(c => c.Index)));

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null) =>
            new[] { GetRowCursor(columnsNeeded, rand) };

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly EnumerableDataView<TRow> _parent;
            private readonly HashSet<int> _active;
            private readonly IEnumerator<TRow> _enumerator;
            private long _position = -1;

            public Cursor(EnumerableDataView<TRow> parent, HashSet<int> active)
            {
                _parent = parent;
                _active = active;
                _enumerator = parent._data.GetEnumerator();
            }

            public override long Position => _position;

            public override long Batch => 0;

            public override DataViewSchema Schema => _parent.Schema;

            public override bool MoveNext()
            {
                if (_enumerator.MoveNext())
                {
                    _position++;
                    return true;
                }

                _position = -1;
                return false;
            }

            public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                if (!IsColumnActive(column))
                {
                    throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");
                }

                var binding = _parent._bindings[column.Index];
                return Getters.Cast<TValue>(Getters.Make(column.Type.RawType, () => binding.ToDataView(binding.ReadMember(_enumerator.Current))), column);
            }

            protected override void Dispose(bool disposing) => _enumerator.Dispose();
        }
    }

    /// <summary>A stand-alone row whose values come from a settable user object (prediction engine input).</summary>
    internal sealed class ObjectRow : DataViewRow
    {
        private readonly MemberBinding[] _bindings;
        private long _position = -1;
        private object _current;

        public ObjectRow(Type rowType, SchemaDefinition definition)
        {
            _bindings = MemberBinding.For(rowType, definition, SchemaDefinition.Direction.Read);
            var builder = new DataViewSchema.Builder();
            foreach (var binding in _bindings)
            {
                builder.AddColumn(binding.ColumnName, binding.Type, binding.Annotations);
            }

            Schema = builder.ToSchema();
        }

        public override DataViewSchema Schema { get; }

        public override long Position => _position;

        public override long Batch => 0;

        public void Set(object row)
        {
            _current = row;
            _position++;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var binding = _bindings[column.Index];
            return Getters.Cast<TValue>(Getters.Make(column.Type.RawType, () => binding.ToDataView(binding.ReadMember(_current))), column);
        }
    }

    /// <summary>Reads rows of a cursor into user objects.</summary>
    internal sealed class ObjectReader
    {
        private readonly (MemberBinding Binding, Func<object> Read)[] _readers;

        public ObjectReader(Type rowType, DataViewRow row, bool ignoreMissingColumns, SchemaDefinition definition)
        {
            var readers = new List<(MemberBinding, Func<object>)>();
            foreach (var binding in MemberBinding.For(rowType, definition, SchemaDefinition.Direction.Write))
            {
                var column = row.Schema.GetColumnOrNull(binding.ColumnName);
                if (column == null)
                {
                    if (ignoreMissingColumns)
                    {
                        continue;
                    }

                    throw new ArgumentOutOfRangeException("schema", $"Could not find column '{binding.ColumnName}'");
                }

                if (!TypeMatches(binding.Type, column.Value.Type))
                {
                    throw new ArgumentOutOfRangeException(
                        "schema",
                        $"Type should be {column.Value.Type} but is {binding.Type} for column '{binding.ColumnName}'");
                }

                readers.Add((binding, Getters.Reader(row, column.Value)));
            }

            _readers = readers.ToArray();
        }

        public static IEnumerable<DataViewSchema.Column> Needed(Type rowType, DataViewSchema schema, SchemaDefinition definition) =>
            MemberBinding.For(rowType, definition, SchemaDefinition.Direction.Write)
                .Select(b => schema.GetColumnOrNull(b.ColumnName)).Where(c => c != null).Select(c => c.Value).ToArray();

        public void Fill(object target)
        {
            foreach (var (binding, read) in _readers)
            {
                binding.WriteMember(target, binding.FromDataView(read()));
            }
        }

        private static bool TypeMatches(DataViewType member, DataViewType column)
        {
            if (member.Equals(column))
            {
                return true;
            }

            // A variable-size array member reads any vector of the same item type; an unannotated uint reads a key.
            if (member is VectorDataViewType mv && column is VectorDataViewType cv)
            {
                return !mv.IsKnownSize && (mv.ItemType.Equals(cv.ItemType) || mv.ItemType.RawType == cv.ItemType.RawType);
            }

            return column is KeyDataViewType && member.RawType == column.RawType;
        }
    }
}
