using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>
/// The output of a transform: the input columns plus the transform's columns. Its cursor reads up to
/// <c>BatchSize</c> input values ahead on a second input cursor and runs one batched model call, so
/// rows come out in order with pass-through columns served by the main input cursor.
/// </summary>
internal sealed class ClipDataView : IDataView
{
    private readonly ClipTransformerBase _transformer;
    private readonly IDataView _input;
    private readonly DataViewSchema.Column _inputColumn;
    private readonly ClipInputKind _kind;

    public ClipDataView(ClipTransformerBase transformer, IDataView input)
    {
        _transformer = transformer;
        _input = input;
        (_inputColumn, _kind) = transformer.CheckInput(input.Schema, nameof(input));
        Schema = transformer.GetOutputSchema(input.Schema);
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int inputCount = _input.Schema.Count;
        var needed = columnsNeeded.ToArray();
        bool outputActive = needed.Any(c => c.Index >= inputCount);
        var inputNeeded = needed.Where(c => c.Index < inputCount).Select(c => _input.Schema[c.Index]).ToArray();

        // The lookahead cursor reads only the input column; the main one serves pass-through columns.
        // Neither is shuffled, so both visit the rows in the same order.
        DataViewRowCursor main = _input.GetRowCursor(inputNeeded);
        DataViewRowCursor? lookahead = outputActive ? _input.GetRowCursor([_inputColumn]) : null;
        return new Cursor(this, main, lookahead, needed.Select(c => c.Index).ToHashSet());
    }

    /// <summary>One cursor: the batched model call already uses all cores, and a single cursor keeps one model.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ClipDataView _parent;
        private readonly DataViewRowCursor _main;
        private readonly DataViewRowCursor? _lookahead;
        private readonly Func<object>? _readInput;
        private readonly HashSet<int> _active;
        private float[][] _batch = [];
        private int _next;
        private float[] _current = [];

        public Cursor(ClipDataView parent, DataViewRowCursor main, DataViewRowCursor? lookahead, HashSet<int> active)
        {
            _parent = parent;
            _main = main;
            _lookahead = lookahead;
            _active = active;
            if (lookahead is not null)
            {
                _readInput = InputValueReader.Create(lookahead, parent._inputColumn, parent._kind);
            }
        }

        public override long Position => _main.Position;

        public override long Batch => _main.Batch;

        public override DataViewSchema Schema => _parent.Schema;

        public override bool MoveNext()
        {
            if (!_main.MoveNext())
            {
                return false;
            }

            if (_lookahead is not null)
            {
                if (_next >= _batch.Length)
                {
                    FillBatch();
                }

                _current = _batch[_next++];
            }

            return true;
        }

        private void FillBatch()
        {
            int size = _parent._transformer.BatchSize;
            var values = new List<object>(size);
            var positions = new List<long>(size);
            while (values.Count < size && _lookahead!.MoveNext())
            {
                values.Add(_readInput!());
                positions.Add(_lookahead.Position);
            }

            if (values.Count == 0)
            {
                throw new InvalidOperationException("The input data view returned fewer rows on its second cursor than on its first; the transform needs a deterministic input.");
            }

            _batch = _parent._transformer.ComputeBatch(values, positions);
            _next = 0;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _parent._input.Schema.Count;
            if (column.Index < inputCount)
            {
                return _main.GetGetter<TValue>(_parent._input.Schema[column.Index]);
            }

            if (!IsColumnActive(column))
            {
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");
            }

            Delegate getter = _parent._transformer.OutputColumns[column.Index - inputCount].MakeGetter(() => _current);
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Invalid TValue in GetGetter: '{typeof(TValue)}', expected type: '{column.Type.RawType}'.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _main.Dispose();
                _lookahead?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
