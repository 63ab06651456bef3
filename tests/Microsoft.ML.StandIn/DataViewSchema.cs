// Stand-in for DataViewSchema of Microsoft.ML 5.0.0 (columns, hidden columns, annotations, builders).
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.ML.Data;

namespace Microsoft.ML
{
    public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
    {
        private readonly Column[] _columns;
        private readonly Dictionary<string, int> _nameToIndex;

        private DataViewSchema(Column[] columns)
        {
            _columns = columns;
            _nameToIndex = new Dictionary<string, int>();
            for (int i = 0; i < columns.Length; i++)
            {
                _nameToIndex[columns[i].Name] = i;
            }
        }

        public int Count => _columns.Length;

        public Column this[int columnIndex]
        {
            get
            {
                if (columnIndex < 0 || columnIndex >= _columns.Length)
                {
                    throw new ArgumentOutOfRangeException(nameof(columnIndex));
                }

                return _columns[columnIndex];
            }
        }

        public Column this[string name] =>
            GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(name), $"Column '{name}' not found");

        public Column? GetColumnOrNull(string name)
        {
            if (name == null)
            {
                throw new ArgumentNullException(nameof(name));
            }

            return _nameToIndex.TryGetValue(name, out int index) ? _columns[index] : null;
        }

        public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => string.Join(", ", _columns.Select(c => c.ToString()));

        internal static DataViewSchema Create(IEnumerable<(string Name, DataViewType Type, Annotations Annotations)> columns)
        {
            var list = columns.ToList();
            var result = new Column[list.Count];
            for (int i = 0; i < list.Count; i++)
            {
                bool hidden = list.Skip(i + 1).Any(c => c.Name == list[i].Name);
                result[i] = new Column(list[i].Name, i, hidden, list[i].Type, list[i].Annotations ?? Annotations.Empty);
            }

            return new DataViewSchema(result);
        }

        public struct Column
        {
            internal Column(string name, int index, bool isHidden, DataViewType type, Annotations annotations)
            {
                Name = name;
                Index = index;
                IsHidden = isHidden;
                Type = type;
                Annotations = annotations ?? Annotations.Empty;
            }

            public string Name { get; }

            public int Index { get; }

            public bool IsHidden { get; }

            public DataViewType Type { get; }

            public Annotations Annotations { get; }

            public override string ToString() => $"{Name} ({Index}): {Type}" + (IsHidden ? " (hidden)" : string.Empty);
        }

        public struct DetachedColumn
        {
            public DetachedColumn(string name, DataViewType type, Annotations annotations = null)
            {
                Name = name ?? throw new ArgumentNullException(nameof(name));
                Type = type ?? throw new ArgumentNullException(nameof(type));
                Annotations = annotations ?? Annotations.Empty;
            }

            public DetachedColumn(Column column)
                : this(column.Name, column.Type, column.Annotations)
            {
            }

            public string Name { get; }

            public DataViewType Type { get; }

            public Annotations Annotations { get; }
        }

        public sealed class Annotations
        {
            private readonly Delegate[] _getters;

            internal Annotations(DataViewSchema schema, Delegate[] getters)
            {
                Schema = schema;
                _getters = getters;
            }

            public static Annotations Empty { get; } = new Annotations(new DataViewSchema(Array.Empty<Column>()), Array.Empty<Delegate>());

            public DataViewSchema Schema { get; }

            public ValueGetter<TValue> GetGetter<TValue>(Column column)
            {
                if (column.Index < 0 || column.Index >= _getters.Length)
                {
                    throw new ArgumentOutOfRangeException(nameof(column));
                }

                return _getters[column.Index] as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Invalid TValue in GetGetter: '{typeof(TValue)}', expected type: '{column.Type.RawType}'.");
            }

            public void GetValue<TValue>(string kind, ref TValue value)
            {
                var column = Schema.GetColumnOrNull(kind)
                    ?? throw new InvalidOperationException($"Invalid call to '{nameof(GetValue)}'. Metadata '{kind}' is not present.");
                GetGetter<TValue>(column)(ref value);
            }

            public override string ToString() => string.Join(", ", Schema.Select(c => c.Name));

            public sealed class Builder
            {
                private readonly List<(string Name, DataViewType Type, Delegate Getter, Annotations Annotations)> _items = new();

                public void Add(Annotations annotations, Func<string, bool> selector)
                {
                    foreach (var column in annotations.Schema)
                    {
                        if (selector(column.Name))
                        {
                            _items.Add((column.Name, column.Type, annotations._getters[column.Index], column.Annotations));
                        }
                    }
                }

                public void Add<TValue>(string name, DataViewType type, ValueGetter<TValue> getter, Annotations annotations = null)
                {
                    if (type.RawType != typeof(TValue))
                    {
                        throw new ArgumentException($"Getter of type '{typeof(TValue)}' does not match column type '{type.RawType}'.", nameof(getter));
                    }

                    _items.Add((name, type, getter ?? throw new ArgumentNullException(nameof(getter)), annotations));
                }

                public void Add(string name, DataViewType type, Delegate getter, Annotations annotations = null)
                {
                    if (getter?.GetType() != typeof(ValueGetter<>).MakeGenericType(type.RawType))
                    {
                        throw new ArgumentException($"Getter of type '{getter?.GetType()}' does not match column type '{type.RawType}'.", nameof(getter));
                    }

                    _items.Add((name, type, getter, annotations));
                }

                public void AddPrimitiveValue<TValue>(string name, PrimitiveDataViewType type, TValue value, Annotations annotations = null) =>
                    Add(name, type, (ref TValue dst) => dst = value, annotations);

                public Annotations ToAnnotations()
                {
                    var schema = DataViewSchema.Create(_items.Select(i => (i.Name, i.Type, i.Annotations)));
                    return new Annotations(schema, _items.Select(i => i.Getter).ToArray());
                }
            }
        }

        public sealed class Builder
        {
            private readonly List<(string Name, DataViewType Type, Annotations Annotations)> _items = new();

            public void AddColumn(string name, DataViewType type, Annotations annotations = null) =>
                _items.Add((name ?? throw new ArgumentNullException(nameof(name)), type ?? throw new ArgumentNullException(nameof(type)), annotations));

            public void AddColumns(IEnumerable<Column> source)
            {
                foreach (var column in source)
                {
                    AddColumn(column.Name, column.Type, column.Annotations);
                }
            }

            public void AddColumns(IEnumerable<DetachedColumn> source)
            {
                foreach (var column in source)
                {
                    AddColumn(column.Name, column.Type, column.Annotations);
                }
            }

            public DataViewSchema ToSchema() => DataViewSchema.Create(_items);
        }
    }
}
