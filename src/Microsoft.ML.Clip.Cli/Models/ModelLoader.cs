using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Commands;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Tokenizers;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Models;

/// <summary>Loads X-CLIP or AltCLIP checkpoints (chosen by <c>config.json</c>'s <c>model_type</c>) for the commands.</summary>
internal static class ModelLoader
{
    /// <summary>Resolves <c>--model</c> and loads the checkpoint with its tokenizer and processor.</summary>
    /// <param name="context">The run's streams and environment.</param>
    /// <param name="model">The <c>--model</c> value, or null.</param>
    /// <param name="defaultModel">The id used without <c>--model</c>.</param>
    /// <param name="cancellationToken">Cancels downloads.</param>
    /// <param name="sampling">How frames are chosen from videos (uniform when null).</param>
    /// <param name="frames">Frames per clip (the checkpoint's when null).</param>
    /// <param name="precision">The arithmetic of the linear layers (<c>--precision</c>).</param>
    public static ICliModel Load(
        CliContext context, string? model, string defaultModel, CancellationToken cancellationToken, FrameSampling? sampling = null, int? frames = null,
        ComputePrecision precision = ComputePrecision.Float32)
    {
        var options = new ModelOptions { Precision = precision };
        var (id, folder) = ModelLocator.Resolve(context, model, defaultModel, cancellationToken: cancellationToken);
        ConfigSummary summary = ConfigSummary.Load(Path.Combine(folder, "config.json"));
        TextTokenizer tokenizer = TokenizerLoader.Load(folder);
        VisionPreprocessor preprocessor = CommonOptions.LoadPreprocessor(folder, frames, sampling ?? FrameSampling.Uniform);
        ITensorStore store = CheckpointLoader.Open(folder);
        try
        {
            return summary.XClip is XClipConfig xclip
                ? CliModel.ForXClip(new ModelSource(id, folder), XClipModel.FromWeights(xclip, store, options), tokenizer, preprocessor, store)
                : CliModel.ForAltClip(new ModelSource(id, folder), AltClipModel.FromWeights(summary.AltClip!, store, options), tokenizer, preprocessor, store);
        }
        catch
        {
            // The model reads memory-mapped weights from the store: it stays open as long as the model (disposed with it).
            store.Dispose();
            throw;
        }
    }

    /// <summary>Runs the full model of a checkpoint folder and returns every output under <c>transformers</c>' names.</summary>
    /// <param name="folder">The checkpoint folder.</param>
    /// <param name="tokens">input_ids and attention_mask.</param>
    /// <param name="pixels">pixel_values.</param>
    /// <param name="options">Hidden states, attentions, interpolation, loss.</param>
    /// <param name="precision">The arithmetic of the linear layers (<c>--precision</c>).</param>
    public static IReadOnlyDictionary<string, Tensor> Forward(
        string folder, TokenBatch tokens, Tensor pixels, ForwardOptions options, ComputePrecision precision = ComputePrecision.Float32)
    {
        var modelOptions = new ModelOptions { Precision = precision };
        string configPath = Path.Combine(folder, "config.json");
        ConfigSummary summary = ConfigSummary.Load(configPath);
        using ITensorStore store = CheckpointLoader.Open(folder);
        if (summary.XClip is XClipConfig xclip)
        {
            using XClipModel model = XClipModel.FromWeights(xclip, store, modelOptions);
            return model.Forward(tokens, pixels, options).ToNamedTensors();
        }

        using AltClipModel altClip = AltClipModel.FromWeights(summary.AltClip!, store, modelOptions);
        return altClip.Forward(tokens, pixels, options).ToNamedTensors();
    }
}
