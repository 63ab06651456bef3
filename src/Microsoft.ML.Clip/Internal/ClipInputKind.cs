using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>The input column types the transforms accept.</summary>
internal enum ClipInputKind
{
    /// <summary>Scalar text: a text, or a video/image path.</summary>
    Text,

    /// <summary>Vector of text: frame image paths of one video.</summary>
    TextVector,

    /// <summary>Known-size vector of Single: preprocessed pixels.</summary>
    Pixels,

    /// <summary>A type a registered <see cref="ClipInputConverter"/> reads as one image (e.g. <c>MLImage</c>).</summary>
    Image,

    /// <summary>A type a registered <see cref="ClipInputConverter"/> reads as one video's frames.</summary>
    Video,
}

/// <summary>Classifies column types into <see cref="ClipInputKind"/>.</summary>
internal static class ClipInputKinds
{
    public static ClipInputKind? Of(DataViewType type) => type switch
    {
        TextDataViewType => ClipInputKind.Text,
        VectorDataViewType { ItemType: TextDataViewType } => ClipInputKind.TextVector,
        VectorDataViewType { IsKnownSize: true } v when v.ItemType.Equals(NumberDataViewType.Single) => ClipInputKind.Pixels,
        _ => ClipInputConverters.Find(type) is { } converted ? Converted(converted.Kind) : null,
    };

    public static ClipInputKind? Of(SchemaShape.Column column)
    {
        if (column.IsKey)
        {
            return null;
        }

        if (column.ItemType is TextDataViewType)
        {
            return column.Kind == SchemaShape.Column.VectorKind.Scalar ? ClipInputKind.Text : ClipInputKind.TextVector;
        }

        if (column.Kind == SchemaShape.Column.VectorKind.Vector && column.ItemType.Equals(NumberDataViewType.Single))
        {
            return ClipInputKind.Pixels;
        }

        return ClipInputConverters.Find(column) is ClipMediaKind kind ? Converted(kind) : null;
    }

    private static ClipInputKind Converted(ClipMediaKind kind) => kind == ClipMediaKind.Image ? ClipInputKind.Image : ClipInputKind.Video;

    /// <summary>ML.NET-style type text of a shape column (e.g. <c>Vector&lt;Single&gt;</c>).</summary>
    public static string Describe(SchemaShape.Column column)
    {
        string item = column.IsKey ? $"Key<{column.ItemType}>" : column.ItemType.ToString() ?? "?";
        return column.Kind switch
        {
            SchemaShape.Column.VectorKind.Vector => $"Vector<{item}>",
            SchemaShape.Column.VectorKind.VariableVector => $"VarVector<{item}>",
            _ => item,
        };
    }
}
