using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>A column of a saved input schema (name and type; annotations are not kept).</summary>
internal sealed class SavedColumn
{
    public string Name { get; set; } = string.Empty;

    /// <summary><c>Scalar</c>, <c>Vector</c> or <c>Key</c>.</summary>
    public string Kind { get; set; } = "Scalar";

    /// <summary>The item type name: <c>String</c>, <c>Single</c>, <c>Double</c>, <c>Boolean</c>, <c>Int32</c>, … (for keys, the raw type).</summary>
    public string Item { get; set; } = string.Empty;

    /// <summary>Vector size (0 = variable) or key count.</summary>
    public ulong Size { get; set; }

    public static SavedColumn From(DataViewSchema.Column column)
    {
        DataViewType type = column.Type;
        return type switch
        {
            VectorDataViewType v when v.ItemType is not KeyDataViewType => new() { Name = column.Name, Kind = "Vector", Item = ItemName(v.ItemType), Size = (ulong)v.Size },
            KeyDataViewType k => new() { Name = column.Name, Kind = "Key", Item = k.RawType.Name, Size = k.Count },
            PrimitiveDataViewType p => new() { Name = column.Name, Kind = "Scalar", Item = ItemName(p) },
            _ => throw new NotSupportedException($"Column '{column.Name}' of type {type} cannot be saved in a pipeline's input schema; only scalars, vectors of primitives and keys can."),
        };
    }

    public DataViewType ToType() => Kind switch
    {
        "Vector" => new VectorDataViewType(Primitive(Item), checked((int)Size)),
        "Key" => new KeyDataViewType(Item switch { "Byte" => typeof(byte), "UInt16" => typeof(ushort), "UInt64" => typeof(ulong), _ => typeof(uint) }, Size),
        _ => Primitive(Item),
    };

    public static DataViewSchema ToSchema(IEnumerable<SavedColumn> columns)
    {
        var builder = new DataViewSchema.Builder();
        foreach (SavedColumn column in columns)
        {
            builder.AddColumn(column.Name, column.ToType());
        }

        return builder.ToSchema();
    }

    private static string ItemName(PrimitiveDataViewType type) => type switch
    {
        TextDataViewType => "String",
        BooleanDataViewType => "Boolean",
        NumberDataViewType => type.RawType.Name,
        _ => throw new NotSupportedException($"Item type {type} cannot be saved in a pipeline's input schema."),
    };

    private static PrimitiveDataViewType Primitive(string name) => name switch
    {
        "String" => TextDataViewType.Instance,
        "Boolean" => BooleanDataViewType.Instance,
        "Single" => NumberDataViewType.Single,
        "Double" => NumberDataViewType.Double,
        "SByte" => NumberDataViewType.SByte,
        "Byte" => NumberDataViewType.Byte,
        "Int16" => NumberDataViewType.Int16,
        "UInt16" => NumberDataViewType.UInt16,
        "Int32" => NumberDataViewType.Int32,
        "UInt32" => NumberDataViewType.UInt32,
        "Int64" => NumberDataViewType.Int64,
        "UInt64" => NumberDataViewType.UInt64,
        _ => throw new InvalidDataException($"Unknown column item type '{name}' in a saved pipeline."),
    };
}
