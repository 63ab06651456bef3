using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Cli.Infrastructure;

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
        o.WriteLine($"type:        {config.ModelType} ({(config.IsVideo ? "X-CLIP, video–text" : "AltCLIP, multilingual image–text")})");
        o.WriteLine($"text:        hidden {config.Text("hidden_size")}, layers {config.Text("num_hidden_layers")}, heads {config.Text("num_attention_heads")}, "
            + $"vocab {config.Text("vocab_size")}, max positions {config.Text("max_position_embeddings")}"
            + (config.IsVideo ? string.Empty : $", project_dim {config.Text("project_dim")}"));
        string side = config.Vision("image_size").ToString(CultureInfo.InvariantCulture);
        o.WriteLine($"vision:      hidden {config.Vision("hidden_size")}, layers {config.Vision("num_hidden_layers")}, heads {config.Vision("num_attention_heads")}, "
            + $"patch {config.Vision("patch_size")}, image {side}×{side}"
            + (config.IsVideo ? $", frames {config.Vision("num_frames")}, MIT hidden {config.Vision("mit_hidden_size")} × {config.Vision("mit_num_hidden_layers")} layer(s)" : string.Empty));
        o.WriteLine($"embedding:   {config.Top("projection_dim")} (projection_dim)");

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
