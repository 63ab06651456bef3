using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>
/// Reads the input column of the current row as <c>string</c>, <c>string[]</c>, <c>float[]</c>, or (through a registered
/// <see cref="ClipInputConverter"/>) <see cref="Clip.Tasks.ImageInput"/> / <see cref="Clip.Tasks.VideoInput"/>.
/// </summary>
internal static class InputValueReader
{
    public static Func<object> Create(DataViewRow row, DataViewSchema.Column column, ClipInputKind kind)
    {
        switch (kind)
        {
            case ClipInputKind.Text:
            {
                var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
                return () =>
                {
                    ReadOnlyMemory<char> value = default;
                    getter(ref value);
                    return value.ToString();
                };
            }

            case ClipInputKind.TextVector:
            {
                var getter = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
                return () =>
                {
                    VBuffer<ReadOnlyMemory<char>> value = default;
                    getter(ref value);
                    return value.DenseValues().Select(v => v.ToString()).ToArray();
                };
            }

            case ClipInputKind.Image:
            {
                Func<Clip.Tasks.ImageInput> read = Converter(column).CreateImageReader(row, column);
                return () => read();
            }

            case ClipInputKind.Video:
            {
                Func<Clip.Tasks.VideoInput> read = Converter(column).CreateVideoReader(row, column);
                return () => read();
            }

            default:
            {
                var getter = row.GetGetter<VBuffer<float>>(column);
                return () =>
                {
                    VBuffer<float> value = default;
                    getter(ref value);
                    var dense = new float[value.Length];
                    value.CopyTo(dense);
                    return dense;
                };
            }
        }
    }

    private static ClipInputConverter Converter(DataViewSchema.Column column) =>
        ClipInputConverters.Find(column.Type)?.Converter
            ?? throw new InvalidOperationException($"No registered ClipInputConverter reads column '{column.Name}' of type {column.Type}.");
}
