using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tokenizers;

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
