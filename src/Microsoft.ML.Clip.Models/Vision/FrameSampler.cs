namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Chooses which frames of a video a model sees. All methods return 0-based frame indices in time order and never
/// fail for short videos: when a video has fewer frames than needed, frames are repeated (see each method).
/// </summary>
public static class FrameSampler
{
    /// <summary>
    /// Uniform segments — X-CLIP's test protocol (TSN / mmaction2 <c>SampleFrames</c> in test mode with
    /// <c>clip_len=1</c>): the video is cut into <paramref name="numFrames"/> equal segments and the middle frame of
    /// each is taken, <c>index[i] = int((i + 0.5) × frameCount / numFrames)</c>. For 50 frames and 8 samples:
    /// 3, 9, 15, 21, 28, 34, 40, 46.
    /// </summary>
    /// <remarks>With fewer frames than <paramref name="numFrames"/> the same formula repeats frames (5 frames, 8 samples: 0, 0, 1, 2, 2, 3, 4, 4).</remarks>
    /// <param name="frameCount">The number of frames in the video (≥ 1).</param>
    /// <param name="numFrames">How many frames to take (≥ 1).</param>
    public static int[] UniformSegments(int frameCount, int numFrames)
    {
        Check(frameCount, numFrames);
        var indices = new int[numFrames];
        for (int i = 0; i < numFrames; i++)
        {
            indices[i] = Math.Min(frameCount - 1, (int)((i + 0.5) * frameCount / numFrames));
        }

        return indices;
    }

    /// <summary>
    /// A fixed stride: <paramref name="numFrames"/> frames <paramref name="stride"/> apart (the transformers docs
    /// example samples this way, with a random start). The clip starts at <paramref name="start"/>, or, when null,
    /// is centred in the video (start = max(0, (frameCount − numFrames × stride) / 2)).
    /// </summary>
    /// <remarks>Indices past the end repeat the last frame (mmaction2's <c>out_of_bound_opt="repeat_last"</c>).</remarks>
    /// <param name="frameCount">The number of frames in the video.</param>
    /// <param name="numFrames">How many frames to take.</param>
    /// <param name="stride">The distance between taken frames (≥ 1), e.g. 4 for "every 4th frame".</param>
    /// <param name="start">The first frame, or null to centre the clip.</param>
    public static int[] Stride(int frameCount, int numFrames, int stride, int? start = null)
    {
        Check(frameCount, numFrames);
        if (stride < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), $"The frame stride must be at least 1, but is {stride}.");
        }

        if (start is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"The start frame must be ≥ 0, but is {start}.");
        }

        long span = (long)numFrames * stride;
        long first = start ?? Math.Max(0, (frameCount - span) / 2);
        var indices = new int[numFrames];
        for (int i = 0; i < numFrames; i++)
        {
            indices[i] = (int)Math.Min(frameCount - 1, first + ((long)i * stride));
        }

        return indices;
    }

    /// <summary>
    /// Multi-clip (X-CLIP's multi-view test, long videos): the video is split into <paramref name="numClips"/> equal
    /// consecutive parts and <see cref="UniformSegments"/> picks <paramref name="numFrames"/> frames within each part.
    /// Scores of the clips are meant to be averaged.
    /// </summary>
    /// <remarks>Parts shorter than <paramref name="numFrames"/> repeat frames as <see cref="UniformSegments"/> does;
    /// with fewer frames than clips, neighbouring clips share frames.</remarks>
    /// <param name="frameCount">The number of frames in the video.</param>
    /// <param name="numFrames">Frames per clip.</param>
    /// <param name="numClips">How many clips (≥ 1).</param>
    /// <returns>One index array per clip, in time order.</returns>
    public static int[][] Clips(int frameCount, int numFrames, int numClips)
    {
        Check(frameCount, numFrames);
        if (numClips < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numClips), $"The number of clips must be at least 1, but is {numClips}.");
        }

        var clips = new int[numClips][];
        for (int c = 0; c < numClips; c++)
        {
            // Part c covers [begin, end) with begin = floor(c × n / N); at least one frame.
            int begin = (int)((long)c * frameCount / numClips);
            int end = (int)((long)(c + 1) * frameCount / numClips);
            if (end <= begin)
            {
                begin = Math.Min(begin, frameCount - 1);
                end = begin + 1;
            }

            clips[c] = UniformSegments(end - begin, numFrames).Select(i => begin + i).ToArray();
        }

        return clips;
    }

    /// <summary>
    /// Checks that the number of frames per video matches the model's <c>vision_config.num_frames</c> (X-CLIP's
    /// frame position embeddings and prompt generator are built for exactly that many; a mismatch otherwise fails
    /// deep inside the model with a shape error).
    /// </summary>
    /// <param name="requested">The frames per video being fed.</param>
    /// <param name="modelNumFrames">The model's <c>vision_config.num_frames</c>.</param>
    /// <param name="model">The model's name or folder, for the message.</param>
    /// <exception cref="ArgumentException">The numbers differ.</exception>
    public static void EnsureModelFrameCount(int requested, int modelNumFrames, string? model = null)
    {
        if (requested != modelNumFrames)
        {
            string which = model is null ? "the model" : $"'{model}'";
            throw new ArgumentException(
                $"{which} was trained with vision_config.num_frames = {modelNumFrames} frames per video, but {requested} frame(s) per video were given. " +
                $"Sample {modelNumFrames} frames (e.g. --frames {modelNumFrames}) or use a checkpoint made for {requested} frames.");
        }
    }

    private static void Check(int frameCount, int numFrames)
    {
        if (frameCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(frameCount), $"The video has {frameCount} frames; at least 1 is needed to sample from it.");
        }

        if (numFrames < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numFrames), $"At least 1 frame must be sampled, but {numFrames} were asked for.");
        }
    }
}
