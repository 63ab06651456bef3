using Microsoft.ML.Data;

namespace Microsoft.ML.Transforms.Image;

/// <summary>
/// The column type of one video given as its frames: an <see cref="IReadOnlyList{T}"/> of <see cref="MLImage"/> in
/// temporal order (one per model frame). ML.NET's vectors hold only primitive, non-disposable items, so a list of
/// images is a structured type of its own, as <c>ImageDataViewType</c> is for one image.
/// </summary>
/// <remarks>Declare such a column on a class with <see cref="ImageFramesTypeAttribute"/>:
/// <c>[ImageFramesType] public IReadOnlyList&lt;MLImage&gt; Frames { get; set; }</c>.</remarks>
public sealed class ImageFramesDataViewType : StructuredDataViewType
{
    /// <summary>Creates the type.</summary>
    public ImageFramesDataViewType()
        : base(typeof(IReadOnlyList<MLImage>))
    {
    }

    /// <summary>The type (all instances are equal).</summary>
    public static ImageFramesDataViewType Instance { get; } = new();

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is ImageFramesDataViewType;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ImageFramesDataViewType;

    /// <inheritdoc />
    public override int GetHashCode() => typeof(ImageFramesDataViewType).GetHashCode();

    /// <inheritdoc />
    public override string ToString() => "ImageFrames";
}

/// <summary>
/// Marks an <see cref="IReadOnlyList{T}"/> of <see cref="MLImage"/> field or property as an <see cref="ImageFramesDataViewType"/>
/// column (one video's frames), for <c>mlContext.Data.LoadFromEnumerable</c> and <c>CustomMapping</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ImageFramesTypeAttribute : DataViewTypeAttribute
{
    /// <summary>Registers <see cref="ImageFramesDataViewType"/> for <c>IReadOnlyList&lt;MLImage&gt;</c> with ML.NET.</summary>
    public override void Register() =>
        DataViewTypeManager.Register(ImageFramesDataViewType.Instance, typeof(IReadOnlyList<MLImage>), this);

    /// <inheritdoc />
    public override bool Equals(DataViewTypeAttribute other) => other is ImageFramesTypeAttribute;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ImageFramesTypeAttribute;

    /// <inheritdoc />
    public override int GetHashCode() => typeof(ImageFramesTypeAttribute).GetHashCode();
}
