// Stand-in for VBuffer<T> and VBufferEditor of Microsoft.ML 5.0.0 (dense and sparse vectors).
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Data
{
    public readonly struct VBuffer<T> : IEnumerable
    {
        private readonly int _count;
        private readonly T[] _values;
        private readonly int[] _indices;

        public readonly int Length;

        public VBuffer(int length, T[] values, int[] indices = null)
            : this(length, length, values, indices)
        {
        }

        public VBuffer(int length, int count, T[] values, int[] indices = null)
        {
            if (length < 0 || count < 0 || count > length || (count > 0 && (values == null || values.Length < count)))
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }

            Length = length;
            _count = count;
            _values = values;
            _indices = count < length ? indices : null;
            if (count < length && count > 0 && (indices == null || indices.Length < count))
            {
                throw new ArgumentException("A sparse VBuffer needs indices.", nameof(indices));
            }
        }

        public bool IsDense => _count == Length;

        public ReadOnlySpan<T> GetValues() => _values == null ? ReadOnlySpan<T>.Empty : new ReadOnlySpan<T>(_values, 0, _count);

        public ReadOnlySpan<int> GetIndices() => IsDense || _indices == null ? ReadOnlySpan<int>.Empty : new ReadOnlySpan<int>(_indices, 0, _count);

        internal T[] RawValues => _values;

        internal int[] RawIndices => _indices;

        public static void Copy(T[] source, int sourceIndex, ref VBuffer<T> destination, int length)
        {
            var values = new T[length];
            Array.Copy(source, sourceIndex, values, 0, length);
            destination = new VBuffer<T>(length, values);
        }

        public void CopyTo(ref VBuffer<T> destination)
        {
            var values = GetValues().ToArray();
            var indices = IsDense ? null : GetIndices().ToArray();
            destination = new VBuffer<T>(Length, _count, values, indices);
        }

        public void CopyTo(ref VBuffer<T> destination, int sourceIndex, int length)
        {
            var dense = DenseValues().Skip(sourceIndex).Take(length).ToArray();
            destination = new VBuffer<T>(length, dense);
        }

        public void CopyTo(Span<T> destination) => CopyTo(destination, 0, default);

        public void CopyTo(Span<T> destination, int destinationIndex, T defaultValue = default)
        {
            if (IsDense)
            {
                GetValues().CopyTo(destination.Slice(destinationIndex));
                return;
            }

            destination.Slice(destinationIndex, Length).Fill(defaultValue);
            for (int i = 0; i < _count; i++)
            {
                destination[destinationIndex + _indices[i]] = _values[i];
            }
        }

        public void CopyToDense(ref VBuffer<T> destination)
        {
            var dense = new T[Length];
            CopyTo(dense);
            destination = new VBuffer<T>(Length, dense);
        }

        public IEnumerable<T> DenseValues()
        {
            var dense = new T[Length];
            CopyTo(dense);
            return dense;
        }

        public void GetItemOrDefault(int index, ref T destination) => destination = GetItemOrDefault(index);

        public T GetItemOrDefault(int index)
        {
            if (index < 0 || index >= Length)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            if (IsDense)
            {
                return _values[index];
            }

            int position = Array.IndexOf(_indices, index, 0, _count);
            return position >= 0 ? _values[position] : default;
        }

        public IEnumerable<KeyValuePair<int, T>> Items(bool all = false)
        {
            var dense = DenseValues().ToArray();
            if (all || IsDense)
            {
                return dense.Select((v, i) => new KeyValuePair<int, T>(i, v)).ToArray();
            }

            var values = GetValues().ToArray();
            return GetIndices().ToArray().Select((index, i) => new KeyValuePair<int, T>(index, values[i])).ToArray();
        }

        public IEnumerator GetEnumerator() => DenseValues().GetEnumerator();

        public override string ToString() => IsDense ? $"Dense vector of size {Length}" : $"Sparse vector of size {Length}, {_count} explicit values";
    }

    public static class VBufferEditor
    {
        public static VBufferEditor<T> Create<T>(
            ref VBuffer<T> destination,
            int newLogicalLength,
            int? valuesCount = null,
            int? maxValuesCapacity = null,
            bool keepOldOnResize = false,
            bool requireIndicesOnDense = false)
        {
            int count = valuesCount ?? newLogicalLength;
            T[] values = destination.RawValues;
            bool createdValues = false;
            if (values == null || values.Length < count)
            {
                var fresh = new T[count];
                if (keepOldOnResize && values != null)
                {
                    Array.Copy(values, fresh, values.Length);
                }

                values = fresh;
                createdValues = true;
            }

            int[] indices = destination.RawIndices;
            bool createdIndices = false;
            if ((count < newLogicalLength || requireIndicesOnDense) && (indices == null || indices.Length < count))
            {
                indices = new int[count];
                createdIndices = true;
            }

            return new VBufferEditor<T>(newLogicalLength, count, values, indices, requireIndicesOnDense, createdValues, createdIndices);
        }

        public static VBufferEditor<T> CreateFromBuffer<T>(ref VBuffer<T> destination)
        {
            int count = destination.GetValues().Length;
            return new VBufferEditor<T>(destination.Length, count, destination.RawValues ?? Array.Empty<T>(), destination.RawIndices, false, false, false);
        }
    }

    public readonly ref struct VBufferEditor<T>
    {
        private readonly int _logicalLength;
        private readonly T[] _values;
        private readonly int[] _indices;

        public readonly Span<T> Values;
        public readonly Span<int> Indices;

        internal VBufferEditor(int logicalLength, int physicalValuesCount, T[] values, int[] indices, bool requireIndicesOnDense, bool createdNewValues, bool createdNewIndices)
        {
            _logicalLength = logicalLength;
            _values = values;
            _indices = indices;
            Values = new Span<T>(values, 0, physicalValuesCount);
            Indices = indices == null ? Span<int>.Empty : new Span<int>(indices, 0, Math.Min(physicalValuesCount, indices.Length));
            CreatedNewValues = createdNewValues;
            CreatedNewIndices = createdNewIndices;
        }

        public bool CreatedNewValues { get; }

        public bool CreatedNewIndices { get; }

        public VBuffer<T> Commit() => new VBuffer<T>(_logicalLength, Values.Length, _values, _indices);

        public VBuffer<T> CommitTruncated(int physicalValuesCount) => new VBuffer<T>(_logicalLength, physicalValuesCount, _values, _indices);
    }
}
