// Stand-in for EstimatorChain / TransformerChain of Microsoft.ML 5.0.0.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Data
{
    [Flags]
    public enum TransformerScope
    {
        None = 0,
        Training = 1 << 0,
        Testing = 1 << 1,
        Scoring = 1 << 2,
        TrainTest = Training | Testing,
        Everything = Training | Testing | Scoring,
    }

    public sealed class TransformerChain<TLastTransformer> : ITransformer, IEnumerable<ITransformer>, IDisposable
        where TLastTransformer : class, ITransformer
    {
        private readonly ITransformer[] _transformers;
        private readonly TransformerScope[] _scopes;

        public readonly TLastTransformer LastTransformer;

        public TransformerChain(IEnumerable<ITransformer> transformers, IEnumerable<TransformerScope> scopes)
        {
            _transformers = transformers.ToArray();
            _scopes = scopes.ToArray();
            LastTransformer = _transformers.LastOrDefault() as TLastTransformer;
        }

        public TransformerChain(params ITransformer[] transformers)
            : this(transformers, transformers.Select(_ => TransformerScope.Everything))
        {
        }

        public bool IsRowToRowMapper => _transformers.All(t => t.IsRowToRowMapper);

        public TransformerChain<TNewLast> Append<TNewLast>(TNewLast transformer, TransformerScope scope = TransformerScope.Everything)
            where TNewLast : class, ITransformer =>
            new TransformerChain<TNewLast>(_transformers.Append(transformer), _scopes.Append(scope));

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
            _transformers.Aggregate(inputSchema, (schema, t) => t.GetOutputSchema(schema));

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema, TransformerScope scope) =>
            _transformers.Where((t, i) => (_scopes[i] & scope) != 0).Aggregate(inputSchema, (schema, t) => t.GetOutputSchema(schema));

        public TransformerChain<ITransformer> GetModelFor(TransformerScope scopeFilter)
        {
            var keep = Enumerable.Range(0, _transformers.Length).Where(i => (_scopes[i] & scopeFilter) != 0).ToArray();
            return new TransformerChain<ITransformer>(keep.Select(i => _transformers[i]), keep.Select(i => _scopes[i]));
        }

        public IDataView Transform(IDataView input) => _transformers.Aggregate(input, (data, t) => t.Transform(data));

        public IDataView Transform(IDataView input, TransformerScope scope) =>
            _transformers.Where((t, i) => (_scopes[i] & scope) != 0).Aggregate(input, (data, t) => t.Transform(data));

        IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema)
        {
            var mappers = new List<IRowToRowMapper>();
            var schema = inputSchema;
            foreach (var transformer in _transformers)
            {
                var mapper = transformer.GetRowToRowMapper(schema);
                mappers.Add(mapper);
                schema = mapper.OutputSchema;
            }

            return new CompositeMapper(inputSchema, schema, mappers);
        }

        void ICanSaveModel.Save(ModelSaveContext ctx)
        {
            foreach (var transformer in _transformers)
            {
                using var child = new ModelSaveContext();
                transformer.Save(child);
                if (!child.SignatureSet)
                {
                    throw new InvalidOperationException("ModelSignature not specified!");
                }
            }

            ctx.SignatureSet = true;
        }

        public IEnumerator<ITransformer> GetEnumerator() => ((IEnumerable<ITransformer>)_transformers).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public void Dispose()
        {
            foreach (var transformer in _transformers)
            {
                (transformer as IDisposable)?.Dispose();
            }
        }

        private sealed class CompositeMapper : IRowToRowMapper
        {
            private readonly List<IRowToRowMapper> _mappers;

            public CompositeMapper(DataViewSchema input, DataViewSchema output, List<IRowToRowMapper> mappers)
            {
                InputSchema = input;
                OutputSchema = output;
                _mappers = mappers;
            }

            public DataViewSchema InputSchema { get; }

            public DataViewSchema OutputSchema { get; }

            public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) => InputSchema;

            public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
            {
                var row = input;
                foreach (var mapper in _mappers)
                {
                    row = mapper.GetRow(row, mapper.OutputSchema);
                }

                return row;
            }
        }
    }

    public sealed class EstimatorChain<TLastTransformer> : IEstimator<TransformerChain<TLastTransformer>>
        where TLastTransformer : class, ITransformer
    {
        private readonly IEstimator<ITransformer>[] _estimators;
        private readonly TransformerScope[] _scopes;

        public readonly IEstimator<TLastTransformer> LastEstimator;

        public EstimatorChain()
            : this(Array.Empty<IEstimator<ITransformer>>(), Array.Empty<TransformerScope>())
        {
        }

        private EstimatorChain(IEstimator<ITransformer>[] estimators, TransformerScope[] scopes)
        {
            _estimators = estimators;
            _scopes = scopes;
            LastEstimator = estimators.LastOrDefault() as IEstimator<TLastTransformer>;
        }

        public EstimatorChain<TNewTrans> Append<TNewTrans>(IEstimator<TNewTrans> estimator, TransformerScope scope = TransformerScope.Everything)
            where TNewTrans : class, ITransformer =>
            new EstimatorChain<TNewTrans>(_estimators.Append(estimator).ToArray(), _scopes.Append(scope).ToArray());

        public TransformerChain<TLastTransformer> Fit(IDataView input)
        {
            // As in ML.NET: validate the whole chain on the input's shape before fitting anything.
            GetOutputSchema(SchemaShape.Create(input.Schema));
            var transformers = new List<ITransformer>();
            var current = input;
            foreach (var estimator in _estimators)
            {
                var transformer = estimator.Fit(current);
                current = transformer.Transform(current);
                transformers.Add(transformer);
            }

            return new TransformerChain<TLastTransformer>(transformers, _scopes);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
            _estimators.Aggregate(inputSchema, (shape, e) => e.GetOutputSchema(shape));
    }
}
