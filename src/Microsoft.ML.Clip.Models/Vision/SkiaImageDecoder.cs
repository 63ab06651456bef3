using SkiaSharp;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Still images (JPEG, PNG, WebP, GIF, BMP, ICO, WBMP) decoded in-process by Skia's codecs, giving the pixels Pillow
/// gives: Skia's JPEG decoder is libjpeg-turbo with the settings Pillow uses (ISLOW DCT, fancy upsampling), its PNG and
/// WebP decoders are libpng and libwebp. Decoded unpremultiplied and without colour management (Pillow ignores ICC
/// profiles), then converted like <c>convert("RGB")</c>: alpha dropped, grey replicated, palette looked up, CMYK as
/// <c>cmyk2rgb</c>. What Skia does differently is fixed here: the transparent index of a GIF keeps its palette colour
/// and a PNG's <c>eXIf</c> orientation is read. 16-bit greyscale PNGs (Pillow clips them) and animated GIFs (videos) are
/// left to ffmpeg.
/// </summary>
internal static class SkiaImageDecoder
{
    /// <summary>
    /// Describes the image when Skia reads it; null when it does not (not an image format Skia knows, an animated GIF,
    /// or a 16-bit greyscale PNG), so ffmpeg gets it.
    /// </summary>
    /// <param name="source">The file (or in-memory bytes) to look at.</param>
    /// <param name="applyOrientation">Report the size after the EXIF orientation is undone.</param>
    public static VideoInfo? TryProbe(VideoInfo source, bool applyOrientation)
    {
        using SKData? data = Open(source);
        using SKCodec? codec = data is null ? null : SKCodec.Create(data);
        if (codec is null || (codec.EncodedFormat == SKEncodedImageFormat.Gif && codec.FrameCount > 1))
        {
            return null;
        }

        int orientation = (int)codec.EncodedOrigin;
        if (codec.EncodedFormat == SKEncodedImageFormat.Png)
        {
            using Stream stream = StreamOver(data!);
            PngHeader? png = PngHeader.Read(stream);
            if (png is { IsGray16: true })
            {
                return null;
            }

            if (orientation == ImageOrientation.Upright && png is { } header)
            {
                orientation = header.Orientation;   // Skia reads no eXIf chunk; Pillow does
            }
        }

        int width = codec.Info.Width, height = codec.Info.Height;
        if (applyOrientation && ImageOrientation.SwapsAxes(orientation))
        {
            (width, height) = (height, width);
        }

        return source with
        {
            Width = width,
            Height = height,
            FrameCount = 1,
            FrameCountSource = "image",
            FramesPerSecond = 0,
            DurationSeconds = 0,
            CodecName = codec.EncodedFormat.ToString().ToLowerInvariant(),
            ContainerFormat = "",
            PixelFormat = "",
            IsImage = true,
            ExifOrientation = orientation,
            DecodedBySkia = true,
        };
    }

    /// <summary>Decodes an image <see cref="TryProbe"/> accepted.</summary>
    /// <param name="info">The probe result.</param>
    /// <param name="applyOrientation">Undo the EXIF orientation (as transformers' <c>load_image</c> does).</param>
    /// <exception cref="VideoDecodingException">The file is truncated or corrupt (Pillow refuses those too).</exception>
    public static RgbImage Decode(VideoInfo info, bool applyOrientation)
    {
        using SKData data = Open(info) ?? throw new VideoDecodingException(info.Path, $"'{info.Path}' could not be read.");
        using SKCodec codec = SKCodec.Create(data)
            ?? throw new VideoDecodingException(info.Path, $"'{info.Path}' is no longer an image Skia can read (was the file replaced?).");
        int width = codec.Info.Width, height = codec.Info.Height;

        // Null colour space: no colour conversion. Unpremultiplied: the stored colours of translucent pixels.
        var target = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul, null);
        var rgba = new byte[checked((int)RgbImage.CheckedSize(width, height, 4))];
        SKCodecResult result = codec.GetPixels(target, rgba);
        if (result != SKCodecResult.Success)
        {
            throw new VideoDecodingException(info.Path, result == SKCodecResult.IncompleteInput
                ? $"'{info.Path}' is truncated: the {codec.EncodedFormat} data ends before the last row of its {width}×{height} pixels."
                : $"'{info.Path}' could not be decoded as {codec.EncodedFormat} ({width}×{height}): Skia reports {result}.");
        }

        if (codec.EncodedFormat == SKEncodedImageFormat.Gif && GifTransparency.TransparentColour(data.AsSpan()) is { } colour)
        {
            GifTransparency.Fill(rgba, colour);
        }

        RgbImage image = RgbImage.FromRgba32(width, height, rgba);
        return applyOrientation ? ImageOrientation.Apply(image, info.ExifOrientation) : image;
    }

    private static SKData? Open(VideoInfo source) => source.EncodedData is ReadOnlyMemory<byte> bytes
        ? SKData.CreateCopy(bytes.Span)
        : SKData.Create(source.Path);

    /// <summary>A read-only seekable stream over an <see cref="SKData"/>'s bytes (no copy; valid while the data lives).</summary>
    private static unsafe Stream StreamOver(SKData data) => new UnmanagedMemoryStream((byte*)data.Data, data.Size);
}
