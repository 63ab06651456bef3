using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Hub;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// An X-CLIP or AltCLIP checkpoint, whichever <c>config.json</c> names, run on raw tensors named as <c>transformers</c>
/// names them — what the <c>clip forward</c> command needs.
/// </summary>
public sealed class PretrainedClipModel : IDisposable
{
    private PretrainedClipModel(XClipModel? xclip, AltClipModel? altclip)
    {
        XClip = xclip;
        AltClip = altclip;
    }

    /// <summary>The <c>model_type</c>: <c>xclip</c> or <c>altclip</c>.</summary>
    public string ModelType => XClip is not null ? "xclip" : "altclip";

    /// <summary>The X-CLIP model, or null.</summary>
    public XClipModel? XClip { get; }

    /// <summary>The AltCLIP model, or null.</summary>
    public AltClipModel? AltClip { get; }

    /// <summary>Loads a folder or Hub id, choosing the model class from <c>config.json</c>'s <c>model_type</c>.</summary>
    /// <param name="pathOrId">A checkpoint folder or a Hub id (<c>org/name[@revision]</c>).</param>
    /// <param name="hubOptions">Hub cache options; null reads the environment.</param>
    /// <exception cref="InvalidDataException">The <c>model_type</c> is neither <c>xclip</c> nor <c>altclip</c>.</exception>
    public static PretrainedClipModel Load(string pathOrId, HubOptions? hubOptions = null)
    {
        string folder = PretrainedFiles.ResolveFolder(pathOrId, hubOptions);
        string configPath = PretrainedFiles.ConfigPath(folder);
        var json = ConfigJson.ParseObject(File.ReadAllText(configPath), configPath);
        string modelType = ConfigJson.GetString(json, "model_type", string.Empty, configPath);
        return modelType switch
        {
            "xclip" => new PretrainedClipModel(XClipModel.FromPretrained(folder), null),
            "altclip" => new PretrainedClipModel(null, AltClipModel.FromPretrained(folder)),
            _ => throw new InvalidDataException(
                $"'{configPath}' has model_type '{modelType}'; only 'xclip' (X-CLIP) and 'altclip' (AltCLIP) checkpoints are supported."),
        };
    }

    /// <summary>
    /// Runs the full model on <c>pixel_values</c> (X-CLIP <c>[videos, frames, 3, H, W]</c>, AltCLIP <c>[images, 3, H, W]</c>),
    /// <c>input_ids</c> and optional <c>attention_mask</c> (<c>[texts, length]</c>, int64 or int32) and returns every output
    /// under <c>transformers</c>' field names (<c>logits_per_video</c>/<c>logits_per_image</c>, <c>text_embeds</c>,
    /// <c>text_model_output.last_hidden_state</c>, …).
    /// </summary>
    /// <param name="inputs">The input tensors by name.</param>
    /// <param name="options">Hidden states, attentions, interpolation, loss; null for none.</param>
    /// <exception cref="ArgumentException">An input is missing or has the wrong shape.</exception>
    public IReadOnlyDictionary<string, Tensor> Forward(ITensorStore inputs, ForwardOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        Tensor pixels = Require(inputs, "pixel_values").LoadFloat32("pixel_values");
        TokenBatch tokens = ReadTokens(inputs);
        return XClip is not null
            ? XClip.Forward(tokens, pixels, options).ToNamedTensors()
            : AltClip!.Forward(tokens, pixels, options).ToNamedTensors();
    }

    /// <summary>Reads <c>input_ids</c> and the optional <c>attention_mask</c> (int64 or int32, <c>[texts, length]</c>).</summary>
    /// <param name="inputs">The input tensors.</param>
    public static TokenBatch ReadTokens(ITensorStore inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var (ids, shape) = Require(inputs, "input_ids").LoadInt64("input_ids");
        if (shape.Length != 2)
        {
            throw new ArgumentException($"'{inputs.Source}': input_ids must be [texts, length]; got {Tensor.FormatShape(shape)}.", nameof(inputs));
        }

        long[]? mask = null;
        if (inputs.GetInfo("attention_mask") is not null)
        {
            var (values, maskShape) = inputs.LoadInt64("attention_mask");
            if (!maskShape.AsSpan().SequenceEqual(shape))
            {
                throw new ArgumentException(
                    $"'{inputs.Source}': attention_mask is {Tensor.FormatShape(maskShape)} but input_ids is {Tensor.FormatShape(shape)}; they must match.", nameof(inputs));
            }

            mask = values;
        }

        return new TokenBatch(ids, mask, shape[0], shape[1]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        XClip?.Dispose();
        AltClip?.Dispose();
    }

    private static ITensorStore Require(ITensorStore inputs, string name) =>
        inputs.GetInfo(name) is not null
            ? inputs
            : throw new ArgumentException($"'{inputs.Source}' has no tensor named '{name}' (it has: {string.Join(", ", inputs.Names.Order(StringComparer.Ordinal))}).", nameof(inputs));
}
