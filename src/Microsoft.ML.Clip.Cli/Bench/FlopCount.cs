using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>
/// Floating-point operations of the models' matrix products (2 per multiply-add), counted from the configuration:
/// the linear layers, the patch embedding and the attention score/value products. Element-wise work (norms,
/// activations, softmax) is left out, so GFLOP/s figures are slightly conservative.
/// </summary>
internal static class FlopCount
{
    /// <summary>One pre-/post-LN transformer layer on <paramref name="tokens"/> tokens (attention over <paramref name="attended"/> tokens).</summary>
    /// <param name="width">Hidden size.</param>
    /// <param name="intermediate">MLP size.</param>
    /// <param name="tokens">Tokens through the MLP.</param>
    /// <param name="attended">Tokens through the attention (≥ tokens when extra tokens are appended).</param>
    public static double Layer(double width, double intermediate, double tokens, double attended) =>
        (4 * 2 * width * width * attended) // q, k, v, out projections
        + (2 * 2 * attended * attended * width) // QKᵀ and softmax·V
        + (2 * 2 * width * intermediate * tokens); // fc1, fc2

    /// <summary>A ViT on one image: patch embedding + layers (+ X-CLIP's message token and its cross-frame attention).</summary>
    /// <param name="width">Hidden size.</param>
    /// <param name="intermediate">MLP size.</param>
    /// <param name="layers">Layer count.</param>
    /// <param name="imageSize">Input side.</param>
    /// <param name="patchSize">Patch side.</param>
    /// <param name="frames">Frames that exchange message tokens (0 for a plain ViT).</param>
    public static double Vit(double width, double intermediate, int layers, int imageSize, int patchSize, int frames = 0)
    {
        double patches = Math.Pow(imageSize / patchSize, 2);
        double tokens = patches + 1;
        double patchEmbedding = 2 * 3 * patchSize * patchSize * width * patches;
        double message = frames == 0 ? 0 : (2 * width * width) + (4 * 2 * width * width) + (2 * 2 * frames * width);
        return patchEmbedding + (layers * (Layer(width, intermediate, tokens, frames == 0 ? tokens : tokens + 1) + message));
    }

    /// <summary>X-CLIP <c>get_video_features</c> for <paramref name="videos"/> videos.</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="videos">Videos.</param>
    public static double XClipVideo(XClipConfig c, int videos)
    {
        XClipVisionConfig v = c.VisionConfig;
        double perFrame = Vit(v.HiddenSize, v.IntermediateSize, v.NumHiddenLayers, v.ImageSize, v.PatchSize, v.NumFrames)
            + (2 * v.HiddenSize * c.ProjectionDim);
        double mit = v.MitNumHiddenLayers * Layer(v.MitHiddenSize, v.MitIntermediateSize, v.NumFrames, v.NumFrames);
        return videos * ((v.NumFrames * perFrame) + mit);
    }

    /// <summary>X-CLIP <c>get_text_features</c> for <paramref name="texts"/> texts of <paramref name="length"/> tokens.</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="texts">Texts.</param>
    /// <param name="length">Tokens per text.</param>
    public static double XClipText(XClipConfig c, int texts, int length) =>
        texts * ((c.TextConfig.NumHiddenLayers * Layer(c.TextConfig.HiddenSize, c.TextConfig.IntermediateSize, length, length))
            + (2 * c.TextConfig.HiddenSize * c.ProjectionDim));

    /// <summary>X-CLIP <c>forward</c>: video + text + the prompt generator (cross-attention of texts over patch tokens).</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="videos">Videos.</param>
    /// <param name="texts">Texts.</param>
    /// <param name="length">Tokens per text.</param>
    public static double XClipForward(XClipConfig c, int videos, int texts, int length)
    {
        XClipVisionConfig v = c.VisionConfig;
        double d = c.ProjectionDim, patches = Math.Pow(v.ImageSize / v.PatchSize, 2);
        double visualPrompts = 2 * v.NumFrames * patches * v.HiddenSize * d;
        double promptLayer = (2 * d * d * texts) + (2 * 2 * d * d * patches) + (2 * 2 * texts * patches * d) + (2 * d * d * texts) + (2 * 2 * d * 4 * d * texts);
        return XClipVideo(c, videos) + XClipText(c, texts, length) + (videos * (visualPrompts + (c.PromptLayers * promptLayer)));
    }

    /// <summary>AltCLIP <c>get_image_features</c>.</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="images">Images.</param>
    public static double AltClipImage(AltClipConfig c, int images)
    {
        AltClipVisionConfig v = c.VisionConfig;
        return images * (Vit(v.HiddenSize, v.IntermediateSize, v.NumHiddenLayers, v.ImageSize, v.PatchSize) + (2 * v.HiddenSize * c.ProjectionDim));
    }

    /// <summary>AltCLIP <c>get_text_features</c>: XLM-R layers, <c>transformation</c> and <c>text_projection</c>.</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="texts">Texts.</param>
    /// <param name="length">Tokens per text.</param>
    public static double AltClipText(AltClipConfig c, int texts, int length)
    {
        AltClipTextConfig t = c.TextConfig;
        return texts * ((t.NumHiddenLayers * Layer(t.HiddenSize, t.IntermediateSize, length, length))
            + (2 * t.HiddenSize * t.ProjectDim * length) + (2 * t.ProjectDim * c.ProjectionDim));
    }
}
