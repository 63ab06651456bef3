// Stand-in for Microsoft.ML.DataView: IDataView, rows and cursors (same names and signatures as Microsoft.ML 5.0.0).
using System;
using System.Collections.Generic;
using Microsoft.ML.Data;

namespace Microsoft.ML
{
    public interface IDataView
    {
        bool CanShuffle { get; }

        long? GetRowCount();

        DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null);

        DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null);

        DataViewSchema Schema { get; }
    }

    public delegate void ValueGetter<TValue>(ref TValue value);

    public abstract class DataViewRow : IDisposable
    {
        public abstract long Position { get; }

        public abstract long Batch { get; }

        public abstract ValueGetter<DataViewRowId> GetIdGetter();

        public abstract bool IsColumnActive(DataViewSchema.Column column);

        public abstract ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column);

        public abstract DataViewSchema Schema { get; }

        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        protected virtual void Dispose(bool disposing)
        {
        }
    }

    public abstract class DataViewRowCursor : DataViewRow
    {
        public abstract bool MoveNext();
    }
}

namespace Microsoft.ML.Data
{
    public struct DataViewRowId : IEquatable<DataViewRowId>
    {
        public readonly ulong Low;
        public readonly ulong High;

        public DataViewRowId(ulong low, ulong high)
        {
            Low = low;
            High = high;
        }

        public bool Equals(DataViewRowId other) => Low == other.Low && High == other.High;

        public override bool Equals(object obj) => obj is DataViewRowId other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(Low, High);

        public override string ToString() => $"0x{High:x16}{Low:x16}";
    }
}
