using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms.Internal;

/// <summary>One column a transform adds, computed from the row's output vector.</summary>
internal abstract class OutputColumn(string name)
{
    public string Name { get; } = name;

    public abstract DataViewType Type { get; }

    public virtual DataViewSchema.Annotations? Annotations => null;

    /// <summary>A getter reading the current row's output vector.</summary>
    public abstract Delegate MakeGetter(Func<float[]> current);

    /// <summary>Slot/key names as an ML.NET text vector.</summary>
    protected static DataViewSchema.Annotations Names(string kind, IReadOnlyList<string> names)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        var type = new VectorDataViewType(TextDataViewType.Instance, names.Count);
        ReadOnlyMemory<char>[] values = names.Select(n => n.AsMemory()).ToArray();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> dst) =>
        {
            var editor = VBufferEditor.Create(ref dst, values.Length);
            values.CopyTo(editor.Values);
            dst = editor.Commit();
        };
        builder.Add(kind, type, getter);
        return builder.ToAnnotations();
    }
}

/// <summary>A known-size float vector column (embeddings; zero-shot <c>Score</c> with <c>SlotNames</c>).</summary>
internal sealed class VectorOutputColumn(string name, int length, IReadOnlyList<string>? slotNames = null) : OutputColumn(name)
{
    public override DataViewType Type { get; } = new VectorDataViewType(NumberDataViewType.Single, length);

    public override DataViewSchema.Annotations? Annotations { get; } = slotNames is null ? null : Names("SlotNames", slotNames);

    public IReadOnlyList<string>? SlotNames => slotNames;

    public override Delegate MakeGetter(Func<float[]> current) =>
        (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
        {
            float[] values = current();
            var editor = VBufferEditor.Create(ref dst, values.Length);
            values.CopyTo(editor.Values);
            dst = editor.Commit();
        });
}

/// <summary>The zero-shot <c>PredictedLabel</c>: a key (1-based argmax, 0 = missing for NaN rows) with <c>KeyValues</c>.</summary>
internal sealed class PredictedLabelColumn(string name, IReadOnlyList<string> labels) : OutputColumn(name)
{
    public override DataViewType Type { get; } = new KeyDataViewType(typeof(uint), labels.Count);

    public override DataViewSchema.Annotations? Annotations { get; } = Names("KeyValues", labels);

    public IReadOnlyList<string> Labels => labels;

    public override Delegate MakeGetter(Func<float[]> current) =>
        (ValueGetter<uint>)((ref uint dst) =>
        {
            float[] p = current();
            dst = p.Length == 0 || float.IsNaN(p[0]) ? 0u : (uint)Microsoft.ML.Clip.Tasks.EmbeddingMath.ArgMax(p) + 1;
        });
}
