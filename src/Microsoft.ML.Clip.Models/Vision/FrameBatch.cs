namespace Microsoft.ML.Clip.Vision;

/// <summary>Runs an <see cref="ImagePipeline"/> over many frames in parallel into one contiguous tensor buffer.</summary>
internal static class FrameBatch
{
    public static (int Height, int Width) CommonOutputSize(ImagePipeline pipeline, IReadOnlyList<RgbImage> frames, string what)
    {
        (int h, int w) = (0, 0);
        for (int i = 0; i < frames.Count; i++)
        {
            RgbImage frame = frames[i] ?? throw new ArgumentException($"{what} {i} is null.");
            (int fh, int fw) = pipeline.OutputSize(frame.Width, frame.Height);
            if (i == 0)
            {
                (h, w) = (fh, fw);
            }
            else if ((fh, fw) != (h, w))
            {
                throw new ArgumentException(
                    $"{what} {i} ({frame.Width}×{frame.Height}) becomes {fw}×{fh} but {what} 0 becomes {w}×{h}: without do_center_crop, all inputs must resize to the same size.");
            }
        }

        return (h, w);
    }

    /// <summary>Processes frame i into <c>output[i × stride, (i + 1) × stride)</c>, frames in parallel.</summary>
    public static void Run(ImagePipeline pipeline, IReadOnlyList<RgbImage> frames, Memory<float> output, int stride)
    {
        if (frames.Count == 1)
        {
            pipeline.Process(frames[0], output.Span[..stride]);
            return;
        }

        Parallel.For(0, frames.Count, i => pipeline.Process(frames[i], output.Span.Slice(i * stride, stride)));
    }
}
