using System.CommandLine;
using Microsoft.ML.Clip.Cli.Infrastructure;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary>Options several commands share, created fresh per command (an option belongs to one command).</summary>
internal static class CommonOptions
{
    /// <summary><c>--model</c>: a Hub id or a folder.</summary>
    /// <param name="description">The help text; the default one explains the defaults.</param>
    public static Option<string?> Model(string description = ModelDefaults.ModelOptionDescription) =>
        new("--model", "-m") { Description = description, HelpName = "id|folder" };

    /// <summary><c>--frames N</c>: frames per video (must match the model's num_frames).</summary>
    public static Option<int?> Frames() => new("--frames")
    {
        Description = "Frames per video clip. Default: the checkpoint's vision_config.num_frames (a different number is an error).",
        HelpName = "N",
    };

    /// <summary><c>--sampling</c>: how frames are chosen from a video.</summary>
    /// <param name="clips">What the command does with the clips of <c>clips:N</c>, e.g. "each clip's label probabilities are averaged".</param>
    public static Option<string> Sampling(string clips) => new("--sampling")
    {
        Description = "How frames are chosen: uniform (middle frame of N equal segments, X-CLIP's protocol), stride:K[@START] "
            + $"(every K-th frame, centred or from START), clips:N (N clips spread over the video; {clips}).",
        HelpName = "uniform|stride:K|clips:N",
        DefaultValueFactory = _ => "uniform",
    };

    /// <summary>Parses <c>--sampling</c>, turning a format error into a usage error.</summary>
    /// <param name="text">The option's value.</param>
    public static Vision.FrameSampling ParseSampling(string text)
    {
        try
        {
            return Vision.FrameSampling.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--sampling '{text}': {e.Message}");
        }
    }

    /// <summary>Loads a folder's vision preprocessor, turning a frame-count mismatch into a usage error.</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="frames">The <c>--frames</c> value.</param>
    /// <param name="sampling">The sampling.</param>
    public static Vision.VisionPreprocessor LoadPreprocessor(string folder, int? frames, Vision.FrameSampling sampling)
    {
        if (frames is <= 0)
        {
            throw new UsageException($"--frames must be at least 1, not {frames}.");
        }

        try
        {
            return Vision.VisionPreprocessor.FromPretrained(folder, new Vision.VisionPreprocessorOptions { NumFrames = frames, Sampling = sampling });
        }
        catch (ArgumentException e) when (frames is not null)
        {
            throw new UsageException($"--frames {frames}: {e.Message}");
        }
    }
}
