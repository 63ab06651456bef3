using Microsoft.ML.Data;
using Microsoft.ML.Clip.Tasks;

namespace Microsoft.ML.Transforms;

/// <summary>What a column read by a <see cref="ClipInputConverter"/> gives the models.</summary>
public enum ClipMediaKind
{
    /// <summary>One image per row (AltCLIP image embedding and zero-shot classification).</summary>
    Image,

    /// <summary>One video per row, as its frames (X-CLIP video embedding and zero-shot classification).</summary>
    Video,
}

/// <summary>
/// Lets the image and video transforms read an input column type the core package does not know (for example
/// <c>MLImage</c> from <c>Microsoft.ML.ImageAnalytics</c>, through the <c>Microsoft.ML.Clip.ImageAnalytics</c> package).
/// Register an instance with <see cref="ClipInputConverters.Register"/>, or mark the converter's assembly with
/// <see cref="ClipInputConverterAttribute"/> so it is found without any call.
/// </summary>
/// <remarks>
/// Converters are asked in registration order; the first whose <see cref="GetMediaKind(DataViewType)"/> is not
/// <see langword="null"/> reads the column. Implementations must be thread-safe and stateless between rows.
/// </remarks>
public abstract class ClipInputConverter
{
    /// <summary>The kind of model input a column of <paramref name="type"/> holds, or <see langword="null"/> when this converter does not read it.</summary>
    /// <param name="type">The input column's type.</param>
    /// <returns>The media kind, or <see langword="null"/>.</returns>
    public abstract ClipMediaKind? GetMediaKind(DataViewType type);

    /// <summary>The same for a column of a schema shape (what estimators see before there is data).</summary>
    /// <param name="column">The input column's shape.</param>
    /// <returns>The media kind, or <see langword="null"/>.</returns>
    public abstract ClipMediaKind? GetMediaKind(SchemaShape.Column column);

    /// <summary>The column types this converter reads as <paramref name="kind"/>, as in <c>expected …</c> messages (e.g. <c>Image (MLImage)</c>), or <see langword="null"/> for none.</summary>
    /// <param name="kind">The media kind.</param>
    /// <returns>The description, or <see langword="null"/>.</returns>
    public abstract string? DescribeAcceptedTypes(ClipMediaKind kind);

    /// <summary>
    /// A reader of <paramref name="column"/> on <paramref name="row"/> for a column whose kind is <see cref="ClipMediaKind.Image"/>.
    /// Each call reads the current row's value and copies what the model needs, so the row's objects may be reused or
    /// disposed by the upstream transform once the call returns.
    /// </summary>
    /// <param name="row">The row (a cursor).</param>
    /// <param name="column">The input column.</param>
    /// <returns>The reader.</returns>
    public abstract Func<ImageInput> CreateImageReader(DataViewRow row, DataViewSchema.Column column);

    /// <summary>A reader for a column whose kind is <see cref="ClipMediaKind.Video"/>; see <see cref="CreateImageReader"/>.</summary>
    /// <param name="row">The row (a cursor).</param>
    /// <param name="column">The input column.</param>
    /// <returns>The reader.</returns>
    public abstract Func<VideoInput> CreateVideoReader(DataViewRow row, DataViewSchema.Column column);
}

/// <summary>
/// Marks an assembly that provides a <see cref="ClipInputConverter"/>: when the transforms first check an input column,
/// every loaded assembly that references <c>Microsoft.ML.Clip</c> and carries this attribute gets an instance of
/// <see cref="ConverterType"/> (public parameterless constructor) registered.
/// </summary>
/// <param name="converterType">A type deriving from <see cref="ClipInputConverter"/>.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class ClipInputConverterAttribute(Type converterType) : Attribute
{
    /// <summary>The converter type.</summary>
    public Type ConverterType { get; } = converterType ?? throw new ArgumentNullException(nameof(converterType));
}
