using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>Row-at-a-time mapping (for <c>PredictionEngine</c>): computes a row's outputs on first access.</summary>
internal sealed class ClipRowMapper : IRowToRowMapper
{
    private readonly ClipTransformerBase _transformer;
    private readonly DataViewSchema.Column _inputColumn;
    private readonly ClipInputKind _kind;

    public ClipRowMapper(ClipTransformerBase transformer, DataViewSchema inputSchema)
    {
        _transformer = transformer;
        (_inputColumn, _kind) = transformer.CheckInput(inputSchema, nameof(inputSchema));
        InputSchema = inputSchema;
        OutputSchema = transformer.GetOutputSchema(inputSchema);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>();
        foreach (var column in dependingColumns)
        {
            if (column.Index >= InputSchema.Count)
            {
                needed.Add(_inputColumn.Index);
            }
            else
            {
                needed.Add(column.Index);
            }
        }

        return needed.OrderBy(i => i).Select(i => InputSchema[i]).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new Row(this, input, activeColumns.Select(c => c.Index).ToHashSet());

    private sealed class Row : DataViewRow
    {
        private readonly ClipRowMapper _parent;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private readonly Func<object> _readInput;
        private long _computedPosition = -1;
        private float[] _current = [];

        public Row(ClipRowMapper parent, DataViewRow input, HashSet<int> active)
        {
            _parent = parent;
            _input = input;
            _active = active;
            _readInput = InputValueReader.Create(input, parent._inputColumn, parent._kind);
        }

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override DataViewSchema Schema => _parent.OutputSchema;

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < _parent.InputSchema.Count ? _input.IsColumnActive(_parent.InputSchema[column.Index]) : _active.Contains(column.Index);

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _parent.InputSchema.Count;
            if (column.Index < inputCount)
            {
                return _input.GetGetter<TValue>(_parent.InputSchema[column.Index]);
            }

            Delegate getter = _parent._transformer.OutputColumns[column.Index - inputCount].MakeGetter(Current);
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Invalid TValue in GetGetter: '{typeof(TValue)}', expected type: '{column.Type.RawType}'.");
        }

        private float[] Current()
        {
            if (_computedPosition != _input.Position || _input.Position < 0)
            {
                _current = _parent._transformer.ComputeBatch([_readInput()], [_input.Position])[0];
                _computedPosition = _input.Position;
            }

            return _current;
        }
    }
}
