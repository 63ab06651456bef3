using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Clip.XClip;

/// <summary>
/// X-CLIP's cross-frame communication block (<c>XCLIPVisionEncoderLayer</c>): a CLIP pre-LN layer whose self-attention
/// also sees one "message token" per frame, computed from the class tokens of all frames of the same video.
/// </summary>
internal sealed class XClipVisionEncoderLayer : IEncoderLayer
{
    private readonly int _numFrames;
    private readonly Linear _messageFc;
    private readonly LayerNorm _messageLn;
    private readonly ClipAttention _messageAttention;
    private readonly ClipAttention _selfAttention;
    private readonly LayerNorm _layerNorm1;
    private readonly ClipMlp _mlp;
    private readonly LayerNorm _layerNorm2;

    public XClipVisionEncoderLayer(WeightScope weights, XClipVisionConfig config, Activation activation)
    {
        int d = config.HiddenSize;
        _numFrames = config.NumFrames;
        _messageFc = weights["message_fc"].Linear(d, d);
        _messageLn = weights["message_ln"].LayerNorm(d, config.LayerNormEps);
        _messageAttention = new ClipAttention(weights["message_attn"], d, config.NumAttentionHeads);
        _selfAttention = new ClipAttention(weights["self_attn"], d, config.NumAttentionHeads);
        _layerNorm1 = weights["layer_norm1"].LayerNorm(d, config.LayerNormEps);
        _mlp = new ClipMlp(weights["mlp"], d, config.IntermediateSize, activation);
        _layerNorm2 = weights["layer_norm2"].LayerNorm(d, config.LayerNormEps);
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor hidden, EncoderMask mask, List<Tensor>? attentions)
    {
        // hidden: [B·T, L, D] with L = patches + 1 (class token first); frame index = b·T + t.
        int frames = hidden.Dim(0), length = hidden.Dim(1), d = hidden.Dim(2);
        int videos = frames / _numFrames;

        // Message tokens: message_fc on each frame's class token, then attention across the T frames of each video.
        Tensor message = _messageFc.Forward(TensorOps.SelectToken(hidden, 0)).Reshape(videos, _numFrames, d); // [B, T, D]
        TensorOps.AddInPlace(message, _messageAttention.Forward(_messageLn.Forward(message), EncoderMask.None, null));

        // Append the message token last and attend over L + 1 tokens.                                [B·T, L+1, D]
        using var x = ScratchTensor.Rent(frames, length + 1, d);
        TensorOps.AppendToken(hidden, message.Reshape(frames, d), x.Tensor);
        using (var normalized = ScratchTensor.Rent(frames, length + 1, d))
        using (var attended = ScratchTensor.Rent(frames, length + 1, d))
        {
            _layerNorm1.Forward(x.Span, normalized.Span, frames * (length + 1));
            _selfAttention.Forward(normalized.Tensor, attended.Span, EncoderMask.None, attentions);
            TensorPrimitives.Add(x.Span, attended.Span, x.Span);
        }

        // Drop the message token before the MLP; it never persists across layers.                  [B·T, L, D]
        // h = x[:, :L] + mlp(layer_norm2(x[:, :L])), reading each frame's first L rows of x in place (rows are
        // independent in the norm and the MLP) so the L tokens are copied once, by the residual add, not twice.
        using var normalized2 = ScratchTensor.Rent(frames, length, d);
        using var update = ScratchTensor.Rent(frames, length, d);
        int tokens = length * d;
        for (int f = 0; f < frames; f++)
        {
            _layerNorm2.Forward(x.Span.Slice(f * (tokens + d), tokens), normalized2.Span.Slice(f * tokens, tokens), length);
        }

        _mlp.Forward(normalized2.Span, update.Span, frames * length);
        Tensor h = Tensor.Uninitialized(frames, length, d); // written whole by the residual add
        for (int f = 0; f < frames; f++)
        {
            TensorPrimitives.Add(x.Span.Slice(f * (tokens + d), tokens), update.Span.Slice(f * tokens, tokens), h.Span.Slice(f * tokens, tokens));
        }

        return h;
    }
}
