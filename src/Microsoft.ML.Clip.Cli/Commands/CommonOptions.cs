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

    /// <summary><c>--precision</c>: float32 (default) or int8 linear layers.</summary>
    public static Option<string> Precision() => new("--precision")
    {
        Description = "Arithmetic of the models' linear layers: float32 (default, the reference numerics) or int8 (opt-in: int8 weights and "
            + "activations with int32 sums in the encoder layers; about 4× less weight memory, faster, embeddings within ~0.999 cosine "
            + "of float32). Embeddings record it: files of different precisions are never mixed.",
        HelpName = "float32|int8",
        DefaultValueFactory = _ => Output.EmbeddingProvenance.Float32,
    };

    /// <summary>Parses <c>--precision</c> (<c>float32</c> or <c>int8</c>, case-insensitive), turning anything else into a usage error.</summary>
    /// <param name="text">The option's value.</param>
    public static Modeling.ComputePrecision ParsePrecision(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or Output.EmbeddingProvenance.Float32 => Modeling.ComputePrecision.Float32,
        Output.EmbeddingProvenance.Int8 => Modeling.ComputePrecision.Int8,
        _ => throw new UsageException($"--precision '{text}': expected float32 or int8."),
    };

    /// <summary>The name of a precision as <c>--precision</c> takes it and embedding files record it.</summary>
    /// <param name="precision">The precision.</param>
    public static string PrecisionName(Modeling.ComputePrecision precision) =>
        precision == Modeling.ComputePrecision.Int8 ? Output.EmbeddingProvenance.Int8 : Output.EmbeddingProvenance.Float32;

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

    /// <summary>
    /// Checks an output file option before any work: not a folder, a name the command can write (checked by
    /// <paramref name="checkName"/>), in a folder that exists.
    /// </summary>
    /// <param name="option">The option's name, e.g. <c>--out</c>.</param>
    /// <param name="path">Its value.</param>
    /// <param name="example">A file name to suggest inside a folder, e.g. <c>embeddings.csv</c>.</param>
    /// <param name="checkName">Throws a <see cref="UsageException"/> for a name the command cannot write.</param>
    /// <returns><paramref name="path"/>.</returns>
    public static string CheckOutputFile(string option, string path, string example, Action<string> checkName)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"{option} '{path}' is a folder; give a file in it, e.g. '{Path.Combine(path, example)}'.");
        }

        checkName(path);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        if (!Directory.Exists(folder))
        {
            throw new UsageException($"{option} '{path}': the folder '{folder}' does not exist; create it first.");
        }

        return path;
    }

    /// <summary>Refuses an output name that does not end in <c>.safetensors</c> (the only format the command writes).</summary>
    /// <param name="option">The option's name.</param>
    /// <returns>A check for <see cref="CheckOutputFile"/>.</returns>
    public static Action<string> SafeTensorsName(string option) => path =>
    {
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"{option} '{path}': this command writes safetensors only; use a name ending in .safetensors.");
        }
    };
}
