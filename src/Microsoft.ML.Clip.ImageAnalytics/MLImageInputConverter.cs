using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Transforms;

/// <summary>
/// Reads <c>MLImage</c> columns (<c>ImageDataViewType</c>, e.g. from <c>mlContext.Transforms.LoadImages</c>) as images and
/// <see cref="ImageFramesDataViewType"/> columns as videos, for the Microsoft.ML.Clip image and video transforms.
/// Registered automatically when the application references this package (see <see cref="ClipInputConverters"/>).
/// </summary>
/// <remarks>
/// <para>Each row's pixels are copied inside the row's read, so the upstream transform may dispose or reuse the image
/// afterwards (<c>LoadImages</c> disposes the previous row's image when it loads the next). The images are then resized,
/// cropped and normalised by the model's processor exactly as the same pixels decoded from a file.</para>
/// <para><c>MLImage</c> stores premultiplied colours. Opaque images (no alpha, or alpha 255 everywhere, which is the
/// case for JPEG and for RGB and grayscale PNG) give the same <c>pixel_values</c> as the file's path. Where alpha is
/// below 255 premultiplying has lost precision: such a pixel's colour comes back within <c>⌈255 / (2·alpha)⌉</c> of the
/// file's, and fully transparent pixels come back black (Pillow keeps their stored colour). Decoding itself is Skia's:
/// <c>LoadImages</c> does not apply EXIF orientation, which the file path (Pillow semantics) does.</para>
/// </remarks>
public sealed class MLImageInputConverter : ClipInputConverter
{
    /// <inheritdoc />
    public override ClipMediaKind? GetMediaKind(DataViewType type) => type switch
    {
        ImageDataViewType => ClipMediaKind.Image,
        ImageFramesDataViewType => ClipMediaKind.Video,
        _ => null,
    };

    /// <inheritdoc />
    public override ClipMediaKind? GetMediaKind(SchemaShape.Column column) =>
        column.Kind == SchemaShape.Column.VectorKind.Scalar && !column.IsKey ? GetMediaKind(column.ItemType) : null;

    /// <inheritdoc />
    public override string? DescribeAcceptedTypes(ClipMediaKind kind) =>
        kind == ClipMediaKind.Image ? "Image (MLImage)" : "ImageFrames (IReadOnlyList<MLImage> video frames)";

    /// <inheritdoc />
    public override Func<ImageInput> CreateImageReader(DataViewRow row, DataViewSchema.Column column)
    {
        ArgumentNullException.ThrowIfNull(row);
        ValueGetter<MLImage> getter = row.GetGetter<MLImage>(column);
        MLImage? image = null; // kept between rows: an upstream getter may dispose or reuse the previous value it gave
        string name = column.Name;
        return () =>
        {
            getter(ref image!);
            return ImageInput.FromImage(ToRgb(image, name, row.Position));
        };
    }

    /// <inheritdoc />
    public override Func<VideoInput> CreateVideoReader(DataViewRow row, DataViewSchema.Column column)
    {
        ArgumentNullException.ThrowIfNull(row);
        ValueGetter<IReadOnlyList<MLImage>> getter = row.GetGetter<IReadOnlyList<MLImage>>(column);
        IReadOnlyList<MLImage>? frames = null;
        string name = column.Name;
        return () =>
        {
            getter(ref frames!);
            if (frames is null || frames.Count == 0)
            {
                throw new InvalidOperationException($"Row {row.Position} of input column '{name}' has no frames; a video needs one MLImage per model frame.");
            }

            return VideoInput.FromFrameImages(frames.Select(frame => ToRgb(frame, name, row.Position)).ToArray());
        };
    }

    private static RgbImage ToRgb(MLImage? image, string column, long row) =>
        image is null
            ? throw new InvalidOperationException($"Row {row} of input column '{column}' has no image (null MLImage; LoadImages gives none for an empty path).")
            : PremultipliedPixels.ToRgb(image);
}
