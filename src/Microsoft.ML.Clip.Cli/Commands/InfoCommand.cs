using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.AltClip;
using Microsoft.ML.Clip.Cli.Infrastructure;
using Microsoft.ML.Clip.XClip;

namespace Microsoft.ML.Clip.Cli.Commands;

/// <summary><c>clip info</c>: a checkpoint's configuration summary, parameter count, files and where they live.</summary>
internal static class InfoCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="context">The run's streams and environment.</param>
    public static Command Create(CliContext context)
    {
        Option<string?> model = CommonOptions.Model(
            "A Hub id (downloaded to the shared HF cache if missing) or a local model folder. Default: " + ModelDefaults.Video + ".");
        var command = new Command("info", "Show a checkpoint's configuration, parameter count, files and where the weights live.") { model };
        command.SetAction((parse, cancellationToken) =>
        {
            var (id, folder) = ModelLocator.Resolve(context, parse.GetValue(model), ModelDefaults.Video, cancellationToken: cancellationToken);
            Write(context.Out, id, folder);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static void Write(TextWriter o, string id, string folder)
    {
        ConfigSummary config = ConfigSummary.Load(Path.Combine(folder, "config.json"));
        o.WriteLine($"model:       {id}");
        o.WriteLine($"folder:      {folder}");
        if (config.XClip is XClipConfig x)
        {
            XClipTextConfig t = x.TextConfig;
            XClipVisionConfig v = x.VisionConfig;
            o.WriteLine("type:        xclip (X-CLIP, video–text)");
            o.WriteLine($"text:        hidden {t.HiddenSize}, layers {t.NumHiddenLayers}, heads {t.NumAttentionHeads}, vocab {t.VocabSize}, max positions {t.MaxPositionEmbeddings}");
            o.WriteLine($"vision:      hidden {v.HiddenSize}, layers {v.NumHiddenLayers}, heads {v.NumAttentionHeads}, patch {v.PatchSize}, image {v.ImageSize}×{v.ImageSize}, "
                + $"frames {v.NumFrames}, MIT hidden {v.MitHiddenSize} × {v.MitNumHiddenLayers} layer(s)");
            o.WriteLine($"embedding:   {x.ProjectionDim} (projection_dim)");
        }
        else
        {
            AltClipConfig a = config.AltClip!;
            AltClipTextConfig t = a.TextConfig;
            AltClipVisionConfig v = a.VisionConfig;
            o.WriteLine("type:        altclip (AltCLIP, multilingual image–text)");
            o.WriteLine($"text:        hidden {t.HiddenSize}, layers {t.NumHiddenLayers}, heads {t.NumAttentionHeads}, vocab {t.VocabSize}, max positions {t.MaxPositionEmbeddings}, project_dim {t.ProjectDim}");
            o.WriteLine($"vision:      hidden {v.HiddenSize}, layers {v.NumHiddenLayers}, heads {v.NumAttentionHeads}, patch {v.PatchSize}, image {v.ImageSize}×{v.ImageSize}");
            o.WriteLine($"embedding:   {a.ProjectionDim} (projection_dim)");
        }

        using ITensorStore weights = CheckpointLoader.Open(folder);
        long parameters = 0;
        var types = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string name in weights.Names)
        {
            TensorInfo info = weights.GetInfo(name)!;
            if (info.DataType.IsFloatingPoint())
            {
                parameters += TensorDataTypes.ElementCount(info.Shape);
                types.Add(info.DataType.ToSafeTensorsName());
            }
        }

        o.WriteLine($"parameters:  {parameters.ToString("N0", CultureInfo.InvariantCulture)} ({FormatCount(parameters)}) in {weights.Names.Count} tensors, {string.Join("/", types)}");
        o.WriteLine($"weights:     {weights.Source}");
        o.WriteLine("files:");
        foreach (FileInfo file in new DirectoryInfo(folder).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            // Hub snapshots hold symbolic links to blobs: report the target's size.
            long length = file.LinkTarget is not null && file.ResolveLinkTarget(true) is FileInfo target ? target.Length : file.Length;
            o.WriteLine($"  {file.Name,-32} {FormatBytes(length),10}");
        }
    }

    private static string FormatCount(long n) => n switch
    {
        >= 1_000_000_000 => (n / 1e9).ToString("F2", CultureInfo.InvariantCulture) + " B",
        >= 1_000_000 => (n / 1e6).ToString("F1", CultureInfo.InvariantCulture) + " M",
        >= 1_000 => (n / 1e3).ToString("F1", CultureInfo.InvariantCulture) + " K",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };

    private static string FormatBytes(long n) => n switch
    {
        >= 1L << 30 => (n / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (n / (double)(1L << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (n / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        _ => n.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
