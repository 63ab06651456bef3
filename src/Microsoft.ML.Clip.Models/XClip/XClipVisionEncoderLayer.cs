using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

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
    public Tensor Forward(Tensor hidden, EncoderMask mask, List<Tensor>? attentions, Tensor? output = null)
    {
        // hidden: [B·T, L, D] with L = patches + 1 (class token first); frame index = b·T + t.
        int frames = hidden.Dim(0), length = hidden.Dim(1), d = hidden.Dim(2);
        using ScratchTensor x = WithMessageTokens(hidden); // [B·T, L+1, D]
        using var normalized = ScratchTensor.Rent(frames, length + 1, d);
        using var attended = ScratchTensor.Rent(frames, length + 1, d);
        _layerNorm1.Forward(x.Span, normalized.Span, frames * (length + 1));
        _selfAttention.Forward(normalized.Tensor, attended.Span, EncoderMask.None, attentions);

        // Drop the message token before the MLP; it never persists across layers.                  [B·T, L, D]
        // h = x[:, :L] + attended[:, :L] and normalized2 = layer_norm2(h) in one pass that skips each frame's last
        // row (rows are independent in the add and the norm, so the message rows are simply never computed).
        using var normalized2 = ScratchTensor.Rent(frames, length, d);
        using var update = ScratchTensor.Rent(frames, length, d);
        Tensor h = EncoderOutputBuffer.For(output, frames, length, d); // written whole by the residual add
        _mlp.ForwardResidual(_layerNorm2, x.Span, attended.Span, h.Span, normalized2.Span, update.Span, frames * length, length, length + 1);
        return h;
    }

    /// <inheritdoc />
    public Tensor ForwardRows(Tensor hidden, EncoderMask mask, ReadOnlySpan<int> rows)
    {
        // As Forward, but only row rows[f] of each frame f leaves the layer (the class token, for the pooled output): the
        // message tokens, layer_norm1, keys and values still cover all L + 1 rows.
        int frames = hidden.Dim(0), length = hidden.Dim(1), d = hidden.Dim(2);
        using ScratchTensor x = WithMessageTokens(hidden); // [B·T, L+1, D]
        using var normalized = ScratchTensor.Rent(frames, length + 1, d);
        _layerNorm1.Forward(x.Span, normalized.Span, frames * (length + 1));
        using var attended = ScratchTensor.Rent(frames, d);
        _selfAttention.ForwardRows(normalized.Tensor, rows, attended.Span, EncoderMask.None); // [B·T, D]

        using var residual = ScratchTensor.Rent(frames, d);
        TensorOps.SelectTokens(x.Tensor, rows, residual.Span);
        using var normalized2 = ScratchTensor.Rent(frames, d);
        var h = new Tensor(frames, d);
        _mlp.ForwardResidual(_layerNorm2, residual.Span, attended.Span, h.Span, normalized2.Span, attended.Span, frames, frames, frames);
        return h;
    }

    /// <summary>
    /// <c>hidden [B·T, L, D]</c> with each frame's message token appended last, <c>[B·T, L+1, D]</c>: <c>message_fc</c> of each
    /// frame's class token, plus <c>message_attn(message_ln(·))</c> across the T frames of each video. Every temporary is pooled.
    /// </summary>
    internal ScratchTensor WithMessageTokens(Tensor hidden)
    {
        int frames = hidden.Dim(0), length = hidden.Dim(1), d = hidden.Dim(2);
        int videos = frames / _numFrames;
        using var classTokens = ScratchTensor.Rent(frames, d);
        TensorOps.SelectToken(hidden, 0, classTokens.Span);
        using var message = ScratchTensor.Rent(frames, d);
        _messageFc.Forward(classTokens.Span, message.Span, frames);
        using var normalized = ScratchTensor.Rent(videos, _numFrames, d);
        _messageLn.Forward(message.Span, normalized.Span, frames);
        using var attended = ScratchTensor.Rent(frames, d);
        _messageAttention.Forward(normalized.Tensor, attended.Span, EncoderMask.None, null); // [B, T, D]

        var x = ScratchTensor.Rent(frames, length + 1, d);
        TensorOps.AppendTokenSum(hidden, message.Span, attended.Span, x.Tensor); // message token = message + attended
        return x;
    }
}
