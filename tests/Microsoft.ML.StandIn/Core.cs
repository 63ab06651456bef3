// Stand-in for the core interfaces of Microsoft.ML 5.0.0 (ITransformer, IEstimator, SchemaShape, saving).
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML
{
    public interface ICanSaveModel
    {
        void Save(ModelSaveContext ctx);
    }

    public interface ITransformer : ICanSaveModel
    {
        bool IsRowToRowMapper { get; }

        DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

        IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema);

        IDataView Transform(IDataView input);
    }

    public interface IEstimator<out TTransformer>
        where TTransformer : ITransformer
    {
        TTransformer Fit(IDataView input);

        SchemaShape GetOutputSchema(SchemaShape inputSchema);
    }

    /// <summary>Every member but Dispose is internal in the real package: third parties cannot write into it.</summary>
    public sealed class ModelSaveContext : IDisposable
    {
        internal ModelSaveContext()
        {
        }

        internal bool SignatureSet { get; set; }

        public void Dispose()
        {
        }
    }

    public sealed class SchemaShape : IReadOnlyList<SchemaShape.Column>
    {
        private readonly Column[] _columns;

        public SchemaShape(IEnumerable<Column> columns)
        {
            _columns = columns.ToArray();
        }

        public int Count => _columns.Length;

        public Column this[int index] => _columns[index];

        public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        internal static SchemaShape Create(DataViewSchema schema) =>
            new SchemaShape(schema.Where(c => !c.IsHidden).Select(c => FromColumn(c.Name, c.Type, c.Annotations)));

        internal static Column FromColumn(string name, DataViewType type, DataViewSchema.Annotations annotations)
        {
            GetColumnTypeShape(type, out var kind, out var itemType, out bool isKey);
            var annotationShape = annotations == null
                ? new SchemaShape(Array.Empty<Column>())
                : new SchemaShape(annotations.Schema.Select(a =>
                {
                    GetColumnTypeShape(a.Type, out var k, out var t, out bool key);
                    return new Column(a.Name, k, t, key, null);
                }));
            return new Column(name, kind, itemType, isKey, annotationShape);
        }

        internal static void GetColumnTypeShape(DataViewType type, out Column.VectorKind vecKind, out DataViewType itemType, out bool isKey)
        {
            if (type is VectorDataViewType vector)
            {
                vecKind = vector.IsKnownSize ? Column.VectorKind.Vector : Column.VectorKind.VariableVector;
                itemType = vector.ItemType;
            }
            else
            {
                vecKind = Column.VectorKind.Scalar;
                itemType = type;
            }

            isKey = itemType is KeyDataViewType;
            if (isKey)
            {
                itemType = PrimitiveFromRaw(itemType.RawType);
            }
        }

        internal bool TryFindColumn(string name, out Column column)
        {
            column = _columns.LastOrDefault(c => c.Name == name);
            return column.Name != null;
        }

        private static DataViewType PrimitiveFromRaw(Type raw) =>
            raw == typeof(byte) ? NumberDataViewType.Byte
            : raw == typeof(ushort) ? NumberDataViewType.UInt16
            : raw == typeof(uint) ? NumberDataViewType.UInt32
            : NumberDataViewType.UInt64;

        public struct Column
        {
            public readonly string Name;
            public readonly VectorKind Kind;
            public readonly DataViewType ItemType;
            public readonly bool IsKey;
            public readonly SchemaShape Annotations;

            internal Column(string name, VectorKind vecKind, DataViewType itemType, bool isKey, SchemaShape annotations = null)
            {
                Name = name;
                Kind = vecKind;
                ItemType = itemType;
                IsKey = isKey;
                Annotations = annotations ?? new SchemaShape(Array.Empty<Column>());
            }

            internal bool IsValid => Name != null;

            internal string GetTypeString()
            {
                string result = IsKey ? $"Key<{ItemType}>" : ItemType.ToString();
                return Kind == VectorKind.Vector ? $"Vector<{result}>" : Kind == VectorKind.VariableVector ? $"VarVector<{result}>" : result;
            }

            public override string ToString() => $"{Name}: {GetTypeString()}";

            public enum VectorKind
            {
                Scalar,
                Vector,
                VariableVector,
            }
        }
    }
}

namespace Microsoft.ML.Data
{
    public interface IRowToRowMapper
    {
        DataViewSchema InputSchema { get; }

        DataViewSchema OutputSchema { get; }

        IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns);

        DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns);
    }
}
