using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tests.Modeling;
using Microsoft.ML.Clip.XClip;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Clip.Tests.XClip;

/// <summary>
/// X-CLIP's message tokens built from pooled temporaries and a parallel append, against the allocating tensor operations
/// that express the same formula (<c>message = message_fc(cls)</c>, <c>message += message_attn(message_ln(message))</c>,
/// appended after each frame's tokens), bit for bit.
/// </summary>
[TestClass]
public sealed class XClipMessageTokensTests
{
    [TestMethod]
    [DataRow(3, 5, 8, 1)]
    [DataRow(3, 5, 8, 2)]
    [DataRow(6, 50, 120, 1)] // 6·51·120 > 2¹⁵ values: split over the pool
    [DataRow(6, 50, 120, 2)]
    [DataRow(6, 50, 120, 4)]
    public void AppendedTokensAreTheSumsAfterEachSequence(int n, int length, int width, int threads)
    {
        Tensor x = XClipModelTests.RandomTensor(61, n, length, width);
        Tensor token = XClipModelTests.RandomTensor(62, n, width);
        Tensor addend = XClipModelTests.RandomTensor(63, n, width);
        var result = new Tensor(n, length + 1, width);
        result.Span.Fill(float.NaN);
        AppendTokenJob.Run(x.Span, token.Span, addend.Span, result.Span, n, length, width, threads);

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < length; j++)
            {
                for (int k = 0; k < width; k++)
                {
                    Assert.AreEqual(x[i, j, k], result[i, j, k], $"sequence {i}, token {j}, value {k}");
                }
            }

            for (int k = 0; k < width; k++)
            {
                Assert.AreEqual(token[i, k] + addend[i, k], result[i, length, k], $"sequence {i}, appended value {k}");
            }
        }
    }

    [TestMethod]
    public void AppendRejectsAResultOfTheWrongShape()
    {
        var exception = Assert.ThrowsExactly<ArgumentException>(() => TensorOps.AppendTokenSum(new Tensor(2, 3, 4), new float[8], new float[8], new Tensor(2, 3, 4)));
        StringAssert.Contains(exception.Message, "[2, 4, 4]");
    }

    [TestMethod]
    [DataRow(1, 20, 5)]
    [DataRow(3, 20, 5)]
    [DataRow(2, 64, 8)] // 16·50·64 values: the append is split over the pool
    public void MessageTokensEqualTheTensorFormulaBitForBit(int videos, int hidden, int heads)
    {
        const int frames = 8, length = 50;
        var config = new XClipVisionConfig { HiddenSize = hidden, IntermediateSize = 30, NumAttentionHeads = heads, NumFrames = frames };
        WeightScope weights = new WeightScope(new RandomWeights(5))["layer"];
        var layer = new XClipVisionEncoderLayer(weights, config, Activation.QuickGelu);
        Tensor states = XClipModelTests.RandomTensor(64, videos * frames, length, hidden);

        // The formula with allocating operations.
        Linear messageFc = weights["message_fc"].Linear(hidden, hidden);
        LayerNorm messageLn = weights["message_ln"].LayerNorm(hidden, config.LayerNormEps);
        var messageAttention = new ClipAttention(weights["message_attn"], hidden, heads);
        Tensor message = messageFc.Forward(TensorOps.SelectToken(states, 0)).Reshape(videos, frames, hidden);
        Tensor attended = messageAttention.Forward(messageLn.Forward(message), EncoderMask.None, null);
        TensorPrimitives.Add(message.Span, attended.Span, message.Span);
        var expected = new Tensor(videos * frames, length + 1, hidden);
        for (int f = 0; f < videos * frames; f++)
        {
            states.Slice(f).Span.CopyTo(expected.Slice(f).Span);
            message.Span.Slice(f * hidden, hidden).CopyTo(expected.Slice(f).Span[(length * hidden)..]);
        }

        using ScratchTensor actual = layer.WithMessageTokens(states);
        ReferenceFormulas.AssertIdentical(expected, actual.Tensor, "hidden states with message tokens");
    }
}
