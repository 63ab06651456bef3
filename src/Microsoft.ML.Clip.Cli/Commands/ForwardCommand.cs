using System.CommandLine;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Cli.Models;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// <c>clip forward</c>: runs the full model on raw tensors named as <c>transformers</c> names them and writes every
/// output under <c>transformers</c>' field names, so numbers can be compared with a Python pipeline.
/// </summary>
internal static class ForwardCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="context">The run's streams and environment.</param>
    public static Command Create(CliContext context)
    {
        Option<string?> model = CommonOptions.Model(
            "An X-CLIP or AltCLIP checkpoint: Hub id or local folder (config.json + model.safetensors or pytorch_model.bin). "
            + "Default: " + ModelDefaults.Video + " for 5-D pixel_values, " + ModelDefaults.Image + " for 4-D.");
        var inputs = new Option<string>("--inputs", "-i")
        {
            Description = "A safetensors file with pixel_values (float32; X-CLIP [videos, frames, 3, H, W], AltCLIP [images, 3, H, W]), "
                + "input_ids [texts, length] and optionally attention_mask (int64 or int32).",
            Required = true,
            HelpName = "in.safetensors",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where to write every output tensor (logits_per_video/image, logits_per_text, text_embeds, video_embeds/image_embeds, "
                + "text_model_output.*, vision_model_output.*, mit_output.*) as float32 safetensors.",
            Required = true,
            HelpName = "out.safetensors",
        };
        var hiddenStates = new Option<bool>("--hidden-states") { Description = "Also write every layer's hidden states (output_hidden_states=True)." };
        var attentions = new Option<bool>("--attentions") { Description = "Also write every layer's attention weights (output_attentions=True)." };
        var interpolate = new Option<bool>("--interpolate-pos-encoding") { Description = "Interpolate the position embeddings for inputs of another resolution." };
        var loss = new Option<bool>("--return-loss") { Description = "Also write the symmetric contrastive loss 'loss' (needs as many texts as videos/images)." };

        Option<string> precision = CommonOptions.Precision();
        var command = new Command("forward", "Run the full model on raw input tensors and write every output under transformers' names.")
        {
            model, inputs, output, hiddenStates, attentions, interpolate, loss, precision,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            Modeling.ComputePrecision computePrecision = CommonOptions.ParsePrecision(parse.GetValue(precision));
            string inPath = parse.GetRequiredValue(inputs);
            string outPath = CommonOptions.CheckOutputFile("--output", parse.GetRequiredValue(output), "outputs.safetensors", CommonOptions.SafeTensorsName("--output"));
            var (pixels, tokens) = ReadInputs(inPath);
            var options = new ForwardOptions
            {
                OutputHiddenStates = parse.GetValue(hiddenStates),
                OutputAttentions = parse.GetValue(attentions),
                InterpolatePositionEncoding = parse.GetValue(interpolate),
                ReturnLoss = parse.GetValue(loss),
            };
            string defaultModel = pixels.Rank == 5 ? ModelDefaults.Video : ModelDefaults.Image;
            var (id, folder) = ModelLocator.Resolve(context, parse.GetValue(model), defaultModel, cancellationToken: cancellationToken);
            IReadOnlyDictionary<string, Tensor> outputs = ModelLoader.Forward(folder, tokens, pixels, options, computePrecision);

            var writer = new SafeTensorsWriter().SetMetadata("format", "pt").SetMetadata("model", id)
                .SetMetadata("precision", CommonOptions.PrecisionName(computePrecision));
            foreach (var (name, tensor) in outputs)
            {
                writer.Add(name, tensor);
            }

            writer.Save(outPath);
            foreach (var (name, tensor) in outputs)
            {
                context.Out.WriteLine($"{name} {Tensor.FormatShape(tensor.Shape)}");
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static (Tensor Pixels, TokenBatch Tokens) ReadInputs(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The inputs file '{path}' does not exist.", path);
        }

        using ITensorStore store = CheckpointLoader.OpenFile(path);
        foreach (string required in new[] { "pixel_values", "input_ids" })
        {
            if (store.GetInfo(required) is null)
            {
                throw new InvalidDataException(
                    $"'{path}' has no tensor '{required}'; it needs pixel_values (float32) and input_ids [texts, length] (int64/int32), "
                    + $"and may have attention_mask. Found: {string.Join(", ", store.Names.OrderBy(n => n, StringComparer.Ordinal))}.");
            }
        }

        Tensor pixels = store.LoadFloat32("pixel_values").Clone();
        var (ids, shape) = store.LoadInt64("input_ids");
        if (shape.Length != 2)
        {
            throw new InvalidDataException($"'{path}': input_ids has shape {Tensor.FormatShape(shape)}, expected [texts, length].");
        }

        long[]? mask = null;
        if (store.GetInfo("attention_mask") is not null)
        {
            var (values, maskShape) = store.LoadInt64("attention_mask");
            if (!maskShape.AsSpan().SequenceEqual(shape))
            {
                throw new InvalidDataException($"'{path}': attention_mask has shape {Tensor.FormatShape(maskShape)} but input_ids has {Tensor.FormatShape(shape)}.");
            }

            mask = values;
        }

        return (pixels, new TokenBatch(ids, mask, shape[0], shape[1]));
    }
}
