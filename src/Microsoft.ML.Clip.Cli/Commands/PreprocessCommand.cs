using Microsoft.ML.Clip.Checkpoints;
using System.CommandLine;
using System.Text.Json;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.Cli.Output;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>
/// <c>clip preprocess</c>: decodes videos/images, samples frames and runs the checkpoint's image processor, writing the
/// exact <c>pixel_values</c> the model would get, so they can be compared with a Python pipeline.
/// </summary>
internal static class PreprocessCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="context">The run's streams and environment.</param>
    public static Command Create(CliContext context)
    {
        var inputs = new Argument<string[]>("inputs")
        {
            Description = "Video or image files. For an image model every file is one item; for a video model every video is one "
                + "item, and several images (and nothing else) are the frames of one video.",
            Arity = ArgumentArity.OneOrMore,
        };
        Option<string?> model = CommonOptions.Model(
            "A Hub id or local folder whose preprocessor_config.json (and config.json for num_frames) is used. "
            + "Default: " + ModelDefaults.Video + " when an input is a video, " + ModelDefaults.Image + " otherwise.");
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where to write the safetensors file with 'pixel_values' ([videos, frames, 3, H, W] or [images, 3, H, W], float32).",
            Required = true,
            HelpName = "file.safetensors",
        };
        Option<int?> frames = CommonOptions.Frames();
        Option<string> sampling = CommonOptions.Sampling("pixel_values holds one item per clip");

        var command = new Command("preprocess", "Write the exact model input (pixel_values) for videos or images, to compare with Python.")
        {
            inputs, model, output, frames, sampling,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            string[] files = parse.GetRequiredValue(inputs);
            string outPath = CommonOptions.CheckOutputFile("--output", parse.GetRequiredValue(output), "pixel_values.safetensors", CommonOptions.SafeTensorsName("--output"));
            FrameSampling frameSampling = CommonOptions.ParseSampling(parse.GetValue(sampling) ?? "uniform");
            List<string> paths = MediaFiles.Expand(files);
            var (modelId, folder) = ModelLocator.Resolve(context, parse.GetValue(model), MediaFiles.DefaultModelFor(paths), ModelLocator.PreprocessorFiles, cancellationToken);
            VisionPreprocessor preprocessor = CommonOptions.LoadPreprocessor(folder, parse.GetValue(frames), frameSampling);
            if (paths.Count > 1 && preprocessor.NumFrames > 1 && paths.All(MediaFiles.IsImage) && paths.Count != preprocessor.NumFrames)
            {
                throw new UsageException(
                    $"{paths.Count} images were given as the frames of one video, but '{modelId}' takes {preprocessor.NumFrames} frames per video "
                    + $"(vision_config.num_frames); give exactly {preprocessor.NumFrames} images, or a video file.");
            }

            Tensor pixels = preprocessor.Process(paths, cancellationToken);
            new SafeTensorsWriter()
                .Add("pixel_values", pixels)
                .SetMetadata("format", "pt")
                .SetMetadata("model", modelId)
                .SetMetadata("inputs", JsonSerializer.Serialize(paths))
                .SetMetadata("sampling", frameSampling.ToString())
                .Save(outPath);
            context.Out.WriteLine($"pixel_values {pixels} -> {outPath}");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
