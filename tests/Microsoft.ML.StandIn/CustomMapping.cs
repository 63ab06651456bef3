// Stand-in for the CustomMapping estimator of Microsoft.ML 5.0.0: schema propagation only.
using System;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.StandIn;
using Microsoft.ML.Transforms;

namespace Microsoft.ML
{
    public static class CustomMappingCatalog
    {
        public static CustomMappingEstimator<TSrc, TDst> CustomMapping<TSrc, TDst>(
            this TransformsCatalog catalog,
            Action<TSrc, TDst> mapAction,
            string contractName,
            SchemaDefinition inputSchemaDefinition = null,
            SchemaDefinition outputSchemaDefinition = null)
            where TSrc : class, new()
            where TDst : class, new() =>
            new CustomMappingEstimator<TSrc, TDst>(mapAction, contractName, inputSchemaDefinition, outputSchemaDefinition);
    }
}

namespace Microsoft.ML.Transforms
{
    public sealed class CustomMappingEstimator<TSrc, TDst> : IEstimator<CustomMappingTransformer<TSrc, TDst>>
        where TSrc : class, new()
        where TDst : class, new()
    {
        private readonly CustomMappingTransformer<TSrc, TDst> _transformer;

        internal CustomMappingEstimator(Action<TSrc, TDst> mapAction, string contractName, SchemaDefinition inputSchemaDefinition, SchemaDefinition outputSchemaDefinition)
        {
            _transformer = new CustomMappingTransformer<TSrc, TDst>(mapAction ?? throw new ArgumentNullException(nameof(mapAction)), contractName, inputSchemaDefinition, outputSchemaDefinition);
        }

        public CustomMappingTransformer<TSrc, TDst> Fit(IDataView input) => _transformer;

        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            var result = inputSchema.ToDictionary(c => c.Name);
            foreach (var binding in MemberBinding.For(typeof(TSrc), _transformer.InputSchemaDefinition, SchemaDefinition.Direction.Read))
            {
                if (!result.TryGetValue(binding.ColumnName, out var column))
                {
                    throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find input column '{binding.ColumnName}'");
                }

                SchemaShape.GetColumnTypeShape(binding.Type, out _, out var itemType, out _);
                if (!column.ItemType.Equals(itemType))
                {
                    throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Schema mismatch for input column '{binding.ColumnName}': expected {binding.Type}, got {column.GetTypeString()}");
                }
            }

            foreach (var binding in MemberBinding.For(typeof(TDst), _transformer.OutputSchemaDefinition, SchemaDefinition.Direction.Write))
            {
                result[binding.ColumnName] = SchemaShape.FromColumn(binding.ColumnName, binding.Type, binding.Annotations);
            }

            return new SchemaShape(result.Values);
        }
    }

    public sealed class CustomMappingTransformer<TSrc, TDst> : ITransformer
        where TSrc : class, new()
        where TDst : class, new()
    {
        internal CustomMappingTransformer(Action<TSrc, TDst> mapAction, string contractName, SchemaDefinition inputSchemaDefinition, SchemaDefinition outputSchemaDefinition)
        {
            InputSchemaDefinition = inputSchemaDefinition;
            OutputSchemaDefinition = outputSchemaDefinition;
        }

        internal SchemaDefinition InputSchemaDefinition { get; }

        internal SchemaDefinition OutputSchemaDefinition { get; }

        public bool IsRowToRowMapper => true;

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
        {
            var builder = new DataViewSchema.Builder();
            builder.AddColumns(inputSchema.AsEnumerable());
            foreach (var binding in MemberBinding.For(typeof(TDst), OutputSchemaDefinition, SchemaDefinition.Direction.Write))
            {
                builder.AddColumn(binding.ColumnName, binding.Type, binding.Annotations);
            }

            return builder.ToSchema();
        }

        IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema) =>
            throw new NotSupportedException("The ML.NET stand-in does not run custom mappings; build with -p:UseMLNetStandIn=false.");

        public IDataView Transform(IDataView input) =>
            throw new NotSupportedException("The ML.NET stand-in does not run custom mappings; build with -p:UseMLNetStandIn=false.");

        void ICanSaveModel.Save(ModelSaveContext ctx) =>
            throw new NotSupportedException("The ML.NET stand-in does not save custom mappings; build with -p:UseMLNetStandIn=false.");
    }
}
