using System.Buffers;

namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Steps 2–6 of the transformers image processors for one RGB image: shortest-edge resize (Pillow), centre crop
/// (zero padding when too small), rescale, normalise, channels first. Shared by the CLIP and VideoMAE processors.
/// </summary>
internal sealed class ImagePipeline
{
    private readonly ImageProcessorConfig _config;

    /// <summary>[3][256]: the final float for every byte value of each channel (rescale + normalise folded).</summary>
    private readonly float[][] _lookup;

    public ImagePipeline(ImageProcessorConfig config)
    {
        config.Validate();
        _config = config;
        _lookup = new float[3][];
        for (int c = 0; c < 3; c++)
        {
            _lookup[c] = new float[256];
            float mean = (float)config.ImageMean[c];
            float std = (float)config.ImageStd[c];
            for (int v = 0; v < 256; v++)
            {
                // rescale: numpy multiplies the uint8 array by a Python float (float64), then casts to float32.
                float x = config.DoRescale ? (float)(v * config.RescaleFactor) : v;
                // normalize: mean/std become float32 arrays and the arithmetic stays in float32.
                _lookup[c][v] = config.DoNormalize ? (x - mean) / std : x;
            }
        }
    }

    /// <summary>The (height, width) of the tensor this pipeline makes from an image of the given size.</summary>
    public (int Height, int Width) OutputSize(int width, int height)
    {
        if (_config.DoCenterCrop)
        {
            return (_config.CropHeight, _config.CropWidth);
        }

        (int w, int h) = ResizedSize(width, height);
        return (h, w);
    }

    /// <summary>The size after the resize step (the input size when <c>do_resize</c> is false).</summary>
    public (int Width, int Height) ResizedSize(int width, int height)
    {
        if (!_config.DoResize)
        {
            return (width, height);
        }

        if (_config.ShortestEdge is not int target)
        {
            return (_config.SizeWidth!.Value, _config.SizeHeight!.Value);
        }

        // transformers get_resize_output_image_size(default_to_square=False): the short edge becomes `target`,
        // the long edge int(target * long / short) — float64 true division, truncated.
        int shortSide = Math.Min(width, height);
        int longSide = Math.Max(width, height);
        int newLong = (int)((double)((long)target * longSide) / shortSide);
        return width <= height ? (target, newLong) : (newLong, target);
    }

    /// <summary>Processes one image into <paramref name="destination"/> (<c>[3, H, W]</c>, H×W from <see cref="OutputSize"/>).</summary>
    public void Process(RgbImage image, Span<float> destination) =>
        Process(image, FrameWindow.Whole(image.Width, image.Height), image.Width, image.Height, destination);

    /// <summary>
    /// Processes a <paramref name="width"/>×<paramref name="height"/> image of which <paramref name="image"/> is only the
    /// window <paramref name="window"/> (at least <see cref="SourceWindow"/>): the same values as for the whole image.
    /// </summary>
    public void Process(RgbImage image, FrameWindow window, int width, int height, Span<float> destination)
    {
        (int outH, int outW) = OutputSize(width, height);
        if (destination.Length != 3 * outH * outW)
        {
            throw new ArgumentException($"The destination needs 3×{outH}×{outW} values but has {destination.Length}.", nameof(destination));
        }

        (int resizedW, int resizedH, int srcLeft, int srcTop, int dstLeft, int dstTop, int columns, int rows) = Geometry(width, height);
        int windowBytes = rows * columns * 3;
        byte[] pixels = ArrayPool<byte>.Shared.Rent(windowBytes);
        try
        {
            PillowResampler.ResizeWindowInto(
                image, window, width, height, resizedW, resizedH, _config.Resample, srcLeft, srcTop, columns, rows, pixels.AsSpan(0, windowBytes));
            WriteChannelsFirst(pixels, columns, rows, destination, outH, outW, dstTop, dstLeft);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }

    /// <summary>
    /// The part of a <paramref name="width"/>×<paramref name="height"/> image that <see cref="Process(RgbImage, Span{float})"/>
    /// reads: the source pixels under the centre crop of the resized image (the whole image when nothing is cropped).
    /// </summary>
    public FrameWindow SourceWindow(int width, int height)
    {
        (int resizedW, int resizedH, int srcLeft, int srcTop, _, _, int columns, int rows) = Geometry(width, height);
        return PillowResampler.SourceWindow(width, height, resizedW, resizedH, _config.Resample, srcLeft, srcTop, columns, rows);
    }

    /// <summary>The resized size and, of it, the centre-crop window kept and where it lands in the output.</summary>
    private (int ResizedW, int ResizedH, int SrcLeft, int SrcTop, int DstLeft, int DstTop, int Columns, int Rows) Geometry(int width, int height)
    {
        (int outH, int outW) = OutputSize(width, height);
        (int resizedW, int resizedH) = ResizedSize(width, height);

        // Centre crop of the resized image (transformers center_crop): top = (H − h) // 2 (floor division);
        // when the image is smaller than the crop it is zero-padded, placed at ceil((h − H) / 2).
        (int srcTop, int dstTop, int rows) = CropAxis(resizedH, outH);
        (int srcLeft, int dstLeft, int columns) = CropAxis(resizedW, outW);
        return (resizedW, resizedH, srcLeft, srcTop, dstLeft, dstTop, columns, rows);
    }

    /// <summary>Along one axis: (first source index kept, where it lands in the output, how many are kept).</summary>
    private static (int Source, int Destination, int Count) CropAxis(int size, int crop)
    {
        if (size >= crop)
        {
            return ((size - crop) / 2, 0, crop);   // non-negative: C# division equals Python's floor division here
        }

        int pad = (crop - size + 1) / 2;          // ceil((crop − size) / 2)
        return (0, pad, size);
    }

    /// <summary>Rescale + normalise (one table lookup per byte) and HWC → CHW, placing the window at (left, top).</summary>
    private void WriteChannelsFirst(byte[] pixels, int width, int height, Span<float> destination, int outH, int outW, int top, int left)
    {
        int plane = outH * outW;
        bool padded = width != outW || height != outH;
        for (int c = 0; c < 3; c++)
        {
            float[] lut = _lookup[c];
            Span<float> channel = destination.Slice(c * plane, plane);
            if (padded)
            {
                channel.Fill(lut[0]);   // the zero padding goes through rescale/normalise like any pixel
            }

            for (int y = 0; y < height; y++)
            {
                Span<float> row = channel.Slice(((top + y) * outW) + left, width);
                int s = (y * width * 3) + c;
                for (int x = 0; x < row.Length; x++, s += 3)
                {
                    row[x] = lut[pixels[s]];
                }
            }
        }
    }
}
