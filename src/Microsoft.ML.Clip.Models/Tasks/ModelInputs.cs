using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tasks;

/// <summary>Builds model inputs for the embedders: token batches and stacked pixel tensors.</summary>
internal static class ModelInputs
{
    /// <summary>Tokenizes a batch, padded to its longest row and truncated to <paramref name="maxLength"/> (transformers' <c>padding=True, truncation=True</c>).</summary>
    public static TokenBatch Tokenize(ITextTokenizer tokenizer, IReadOnlyList<string> texts, int maxLength)
    {
        if (texts.Count == 0)
        {
            throw new ArgumentException("At least one text is needed.", nameof(texts));
        }

        return TokenBatch.From(tokenizer.EncodeBatch(texts, maxLength, Padding.Longest, truncation: true));
    }

    /// <summary>Copies rows of <paramref name="features"/> <c>[rows, d]</c> into arrays, averaging each group of <paramref name="groups"/> consecutive rows.</summary>
    public static float[][] RowsAveraged(Tensor features, IReadOnlyList<int> groups)
    {
        int d = features.Dim(1);
        var result = new float[groups.Count][];
        int row = 0;
        for (int i = 0; i < groups.Count; i++)
        {
            var sum = new float[d];
            for (int g = 0; g < groups[i]; g++, row++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(sum, features.Span.Slice(row * d, d), sum);
            }

            if (groups[i] > 1)
            {
                System.Numerics.Tensors.TensorPrimitives.Divide(sum, groups[i], sum);
            }

            result[i] = sum;
        }

        return result;
    }

    /// <summary>
    /// Preprocesses the inputs given as files (all at once, so they decode concurrently) into their places in
    /// <paramref name="parts"/>; inputs given as pixels are already there.
    /// </summary>
    /// <param name="preprocessor">The model folder's preprocessor, or null when it has none.</param>
    /// <param name="files">(index in <paramref name="parts"/>, the input's files).</param>
    /// <param name="parts">One tensor per input.</param>
    /// <param name="noPreprocessor">The message when files are given but there is no preprocessor.</param>
    /// <param name="cancellationToken">Cancels decoding (killing ffmpeg).</param>
    public static void ProcessFiles(
        VisionPreprocessor? preprocessor, IReadOnlyList<(int Index, IReadOnlyList<string> Paths)> files, Tensor[] parts, string noPreprocessor,
        CancellationToken cancellationToken)
    {
        if (files.Count == 0)
        {
            return;
        }

        VisionPreprocessor vision = preprocessor ?? throw new InvalidOperationException(noPreprocessor);
        Tensor[] decoded = vision.ProcessEach(files.Select(f => f.Paths).ToArray(), cancellationToken);
        for (int f = 0; f < files.Count; f++)
        {
            parts[files[f].Index] = decoded[f];
        }
    }

    /// <summary>
    /// Preprocesses the inputs given as decoded images (one image, or the frames of one video for a video model) into their
    /// places in <paramref name="parts"/>, exactly as the same images read from files would be.
    /// </summary>
    /// <param name="preprocessor">The model folder's preprocessor, or null when it has none.</param>
    /// <param name="images">(index in <paramref name="parts"/>, the input's images in temporal order).</param>
    /// <param name="parts">One tensor per input.</param>
    /// <param name="noPreprocessor">The message when images are given but there is no preprocessor.</param>
    public static void ProcessImages(
        VisionPreprocessor? preprocessor, IReadOnlyList<(int Index, IReadOnlyList<RgbImage> Images)> images, Tensor[] parts, string noPreprocessor)
    {
        if (images.Count == 0)
        {
            return;
        }

        VisionPreprocessor vision = preprocessor ?? throw new InvalidOperationException(noPreprocessor);
        foreach ((int index, IReadOnlyList<RgbImage> frames) in images)
        {
            if (vision.IsVideo && frames.Count != vision.NumFrames)
            {
                throw new ArgumentException(
                    $"{frames.Count} images were given as the frames of one video, but the preprocessor takes {vision.NumFrames} frames per video " +
                    "(vision_config.num_frames); give exactly that many images.",
                    nameof(images));
            }

            if (!vision.IsVideo && frames.Count != 1)
            {
                throw new ArgumentException($"An image input holds {frames.Count} images; an image model takes one per input.", nameof(images));
            }

            parts[index] = vision.ProcessFrames(frames); // [1, frames, 3, H, W] (video) or [1, 3, H, W] (image)
        }
    }

    /// <summary>Concatenates preprocessed inputs along axis 0, saying which inputs could not be batched.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> parts, string what)
    {
        try
        {
            return Tensor.Concat(parts);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{what}: {e.Message} Preprocess the inputs to the same size.", nameof(parts), e);
        }
    }
}
