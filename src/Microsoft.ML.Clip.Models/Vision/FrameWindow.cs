namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// A rectangle of an image, in its pixel coordinates: the part of a decoded frame a resize-and-crop reads, which ffmpeg
/// is then asked to deliver alone (its <c>crop</c> filter after the RGB conversion copies those bytes unchanged).
/// </summary>
internal readonly record struct FrameWindow(int Left, int Top, int Width, int Height)
{
    /// <summary>The whole of a <paramref name="width"/>×<paramref name="height"/> image.</summary>
    public static FrameWindow Whole(int width, int height) => new(0, 0, width, height);

    /// <summary>ffmpeg's filter that keeps this window of each frame.</summary>
    public string CropFilter => $"crop=w={Width}:h={Height}:x={Left}:y={Top}";

    /// <summary>True when the window is all of a <paramref name="width"/>×<paramref name="height"/> image.</summary>
    public bool IsWhole(int width, int height) => Left == 0 && Top == 0 && Width == width && Height == height;

    /// <summary>True when <paramref name="inner"/> lies inside this window.</summary>
    public bool Contains(FrameWindow inner) =>
        inner.Left >= Left && inner.Top >= Top && inner.Left + inner.Width <= Left + Width && inner.Top + inner.Height <= Top + Height;
}
