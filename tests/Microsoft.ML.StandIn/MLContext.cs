// Stand-in for MLContext and the catalogs of Microsoft.ML 5.0.0 that the adapter and its tests use.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.StandIn;

namespace Microsoft.ML
{
    public sealed class MLContext
    {
        public MLContext(int? seed = null)
        {
            Data = new DataOperationsCatalog();
            Transforms = new TransformsCatalog();
            Model = new ModelOperationsCatalog();
        }

        public DataOperationsCatalog Data { get; }

        public TransformsCatalog Transforms { get; }

        public ModelOperationsCatalog Model { get; }
    }

    public sealed class TransformsCatalog
    {
        internal TransformsCatalog()
        {
        }
    }

    public sealed class DataOperationsCatalog
    {
        internal DataOperationsCatalog()
        {
        }

        public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data, SchemaDefinition schemaDefinition = null)
            where TRow : class =>
            new EnumerableDataView<TRow>(data ?? throw new ArgumentNullException(nameof(data)), schemaDefinition);

        public IEnumerable<TRow> CreateEnumerable<TRow>(IDataView data, bool reuseRowObject, bool ignoreMissingColumns = false, SchemaDefinition schemaDefinition = null)
            where TRow : class, new()
        {
            // Validate eagerly (as the real one does when building its mapping), then stream.
            var needed = ObjectReader.Needed(typeof(TRow), data.Schema, schemaDefinition);
            using (var probe = data.GetRowCursor(needed))
            {
                _ = new ObjectReader(typeof(TRow), probe, ignoreMissingColumns, schemaDefinition);
            }

            return Stream<TRow>(data, needed, reuseRowObject, ignoreMissingColumns, schemaDefinition);
        }

        private static IEnumerable<TRow> Stream<TRow>(IDataView data, IEnumerable<DataViewSchema.Column> needed, bool reuse, bool ignoreMissing, SchemaDefinition definition)
            where TRow : class, new()
        {
            using var cursor = data.GetRowCursor(needed);
            var reader = new ObjectReader(typeof(TRow), cursor, ignoreMissing, definition);
            TRow row = null;
            while (cursor.MoveNext())
            {
                if (row == null || !reuse)
                {
                    row = new TRow();
                }

                reader.Fill(row);
                yield return row;
            }
        }
    }

    public sealed class ModelOperationsCatalog
    {
        internal ModelOperationsCatalog()
        {
        }

        public void Save(ITransformer model, DataViewSchema inputSchema, Stream stream)
        {
            using var ctx = new ModelSaveContext();
            model.Save(ctx);
            if (!ctx.SignatureSet)
            {
                throw new InvalidOperationException("ModelSignature not specified!");
            }
        }

        public void Save(ITransformer model, DataViewSchema inputSchema, string filePath)
        {
            using var stream = File.Create(filePath);
            Save(model, inputSchema, stream);
        }

        public ITransformer Load(Stream stream, out DataViewSchema inputSchema) =>
            throw new NotSupportedException("The ML.NET stand-in has no savable built-in transformers, so it cannot load ML.NET model files; build with -p:UseMLNetStandIn=false.");

        public ITransformer Load(string filePath, out DataViewSchema inputSchema)
        {
            using var stream = File.OpenRead(filePath);
            return Load(stream, out inputSchema);
        }

        public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(
            ITransformer transformer,
            bool ignoreMissingColumns = true,
            SchemaDefinition inputSchemaDefinition = null,
            SchemaDefinition outputSchemaDefinition = null)
            where TSrc : class
            where TDst : class, new() =>
            new PredictionEngine<TSrc, TDst>(transformer, ignoreMissingColumns, inputSchemaDefinition, outputSchemaDefinition);

        public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer transformer, DataViewSchema inputSchema)
            where TSrc : class
            where TDst : class, new() =>
            new PredictionEngine<TSrc, TDst>(transformer, true, null, null);
    }

    public abstract class PredictionEngineBase<TSrc, TDst> : IDisposable
        where TSrc : class
        where TDst : class, new()
    {
        private protected PredictionEngineBase()
        {
        }

        public DataViewSchema OutputSchema { get; private protected set; }

        public abstract void Predict(TSrc example, ref TDst prediction);

        public virtual void Dispose()
        {
        }
    }

    public sealed class PredictionEngine<TSrc, TDst> : PredictionEngineBase<TSrc, TDst>
        where TSrc : class
        where TDst : class, new()
    {
        private readonly ObjectRow _input;
        private readonly DataViewRow _output;
        private readonly ObjectReader _reader;

        internal PredictionEngine(ITransformer transformer, bool ignoreMissingColumns, SchemaDefinition inputSchemaDefinition, SchemaDefinition outputSchemaDefinition)
        {
            if (!transformer.IsRowToRowMapper)
            {
                throw new InvalidOperationException("Must be a row-to-row mapper");
            }

            _input = new ObjectRow(typeof(TSrc), inputSchemaDefinition);
            var mapper = transformer.GetRowToRowMapper(_input.Schema);
            OutputSchema = mapper.OutputSchema;
            _output = mapper.GetRow(_input, mapper.OutputSchema);
            _reader = new ObjectReader(typeof(TDst), _output, ignoreMissingColumns, outputSchemaDefinition);
        }

        public TDst Predict(TSrc example)
        {
            var result = new TDst();
            Predict(example, ref result);
            return result;
        }

        public override void Predict(TSrc example, ref TDst prediction)
        {
            _input.Set(example);
            prediction ??= new TDst();
            _reader.Fill(prediction);
        }
    }

    public static class LearningPipelineExtensions
    {
        public static EstimatorChain<TTrans> Append<TTrans>(this IEstimator<ITransformer> start, IEstimator<TTrans> estimator, TransformerScope scope = TransformerScope.Everything)
            where TTrans : class, ITransformer =>
            new EstimatorChain<ITransformer>().Append(start).Append(estimator, scope);

        public static TransformerChain<TTrans> Append<TTrans>(this ITransformer start, TTrans transformer)
            where TTrans : class, ITransformer =>
            new TransformerChain<TTrans>(start, transformer);
    }
}

namespace Microsoft.ML.Data
{
    public static class ColumnCursorExtensions
    {
        public static IEnumerable<T> GetColumn<T>(this IDataView data, string columnName) =>
            GetColumn<T>(data, data.Schema[columnName]);

        public static IEnumerable<T> GetColumn<T>(this IDataView data, DataViewSchema.Column column)
        {
            using var cursor = data.GetRowCursor(new[] { column });
            var read = Getters.Reader(cursor, column);
            while (cursor.MoveNext())
            {
                object value = read();
                if (typeof(T) == typeof(string))
                {
                    yield return (T)(object)value.ToString();
                }
                else if (typeof(T).IsArray && value is System.Collections.IEnumerable items)
                {
                    var dense = items.Cast<object>().ToArray();
                    var array = Array.CreateInstance(typeof(T).GetElementType(), dense.Length);
                    for (int i = 0; i < dense.Length; i++)
                    {
                        array.SetValue(typeof(T).GetElementType() == typeof(string) ? dense[i].ToString() : dense[i], i);
                    }

                    yield return (T)(object)array;
                }
                else
                {
                    yield return (T)value;
                }
            }
        }
    }
}
