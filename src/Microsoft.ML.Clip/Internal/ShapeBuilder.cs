using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>
/// Builds <see cref="SchemaShape"/> columns through a public route: <c>SchemaShape.Column</c>'s
/// constructor is internal in ML.NET, so the output shape of a schema-only <c>CustomMapping</c>
/// (whose output schema definition carries our names, types and annotations) is used instead.
/// </summary>
internal static class ShapeBuilder
{
    /// <summary>The input shape with the output columns added (replacing same-name columns).</summary>
    public static SchemaShape AddColumns(TransformsCatalog catalog, SchemaShape input, IReadOnlyList<OutputColumn> columns)
    {
        if (columns.Count == 1 && columns[0] is VectorOutputColumn vector)
        {
            var definition = SchemaDefinition.Create(typeof(VectorRow), SchemaDefinition.Direction.Both);
            Configure(definition[nameof(VectorRow.Vector)], vector);
            return catalog.CustomMapping<NoInput, VectorRow>(static (_, _) => { }, null, null, definition).GetOutputSchema(input);
        }

        if (columns.Count == 2 && columns[0] is VectorOutputColumn score && columns[1] is PredictedLabelColumn label)
        {
            var definition = SchemaDefinition.Create(typeof(ScoredRow), SchemaDefinition.Direction.Both);
            Configure(definition[nameof(ScoredRow.Score)], score);
            Configure(definition[nameof(ScoredRow.PredictedLabel)], label);
            return catalog.CustomMapping<NoInput, ScoredRow>(static (_, _) => { }, null, null, definition).GetOutputSchema(input);
        }

        throw new InvalidOperationException("Unsupported output column layout.");
    }

    private static void Configure(SchemaDefinition.Column column, OutputColumn output)
    {
        column.ColumnName = output.Name;
        column.ColumnType = output.Type;
        IReadOnlyList<string>? names = output switch
        {
            VectorOutputColumn v => v.SlotNames,
            PredictedLabelColumn p => p.Labels,
            _ => null,
        };
        if (names is not null)
        {
            var buffer = new VBuffer<ReadOnlyMemory<char>>(names.Count, names.Select(n => n.AsMemory()).ToArray());
            column.AddAnnotation(output is PredictedLabelColumn ? "KeyValues" : "SlotNames", buffer, new VectorDataViewType(TextDataViewType.Instance, names.Count));
        }
    }

    /// <summary>No input members: the mapping never reads anything.</summary>
    internal sealed class NoInput
    {
    }

    /// <summary>One float vector output (name and size set at run time).</summary>
    internal sealed class VectorRow
    {
        public float[] Vector = [];
    }

    /// <summary>Multiclass scoring outputs (names, sizes and annotations set at run time).</summary>
    internal sealed class ScoredRow
    {
        public float[] Score = [];

        public uint PredictedLabel;
    }
}
