using Microsoft.ML.Clip.Hub;

namespace Microsoft.ML.Clip.Cli.Infrastructure;

/// <summary>
/// Turns <c>--model</c> (a Hub id or a local folder, or nothing: a default) into a local folder, downloading what is
/// missing into the shared Hugging Face cache with progress on standard error.
/// </summary>
internal static class ModelLocator
{
    /// <summary>Resolves a model to a local folder.</summary>
    /// <param name="context">The run's streams and environment (HF_HOME, HF_HUB_OFFLINE, HF_TOKEN, …).</param>
    /// <param name="model">The <c>--model</c> value, or null.</param>
    /// <param name="defaultModel">The id used when <paramref name="model"/> is null.</param>
    /// <param name="files">The files needed; by default config, weights, preprocessor and tokenizer files.</param>
    /// <param name="cancellationToken">Cancels downloads.</param>
    /// <returns>
    /// The model's identity for records (the Hub id as given, or the canonical absolute path of a local folder, so a
    /// record read from another working directory still names the same folder) and the local folder.
    /// </returns>
    /// <exception cref="UsageException"><paramref name="model"/> names a file rather than a model folder.</exception>
    public static (string Model, string Folder) Resolve(
        CliContext context,
        string? model,
        string defaultModel,
        IReadOnlyList<HubFileGroup>? files = null,
        CancellationToken cancellationToken = default)
    {
        string id = string.IsNullOrWhiteSpace(model) ? defaultModel : model.Trim();
        if (File.Exists(id))
        {
            string parent = Path.GetDirectoryName(Path.GetFullPath(id)) ?? ".";
            throw new UsageException($"--model '{id}' is a file; pass the model folder that holds it ('{parent}', with config.json, the weights and the tokenizer files) or a Hub id.");
        }

        HubOptions options = HubOptions.FromEnvironment(context.GetEnvironmentVariable);
        var reporter = new DownloadReporter(context);
        string folder = HubModelResolver.Resolve(id, files, options, reporter, cancellationToken);
        reporter.Finish();
        return (Directory.Exists(id) ? Canonical(folder) : id, folder);
    }

    /// <summary>The canonical absolute path of a folder: full, without a trailing separator, symlinks resolved.</summary>
    /// <param name="folder">A folder that exists.</param>
    public static string Canonical(string folder)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        return new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
    }

    /// <summary>The files <c>clip preprocess</c> needs: the processor settings, and the config for num_frames.</summary>
    public static IReadOnlyList<HubFileGroup> PreprocessorFiles { get; } =
        [HubFileGroup.Required("preprocessor_config.json"), HubFileGroup.Optional("config.json")];

    /// <summary>The files a tokenizer needs (a folder holding only these is enough for <c>clip tokenize</c>).</summary>
    public static IReadOnlyList<HubFileGroup> TokenizerFiles { get; } =
    [
        HubFileGroup.Optional("tokenizer_config.json"),
        HubFileGroup.Optional("special_tokens_map.json"),
        HubFileGroup.Optional("tokenizer.json"),
        HubFileGroup.Optional("vocab.json"),
        HubFileGroup.Optional("merges.txt"),
        HubFileGroup.Optional("sentencepiece.bpe.model"),
        HubFileGroup.Optional("config.json"),
    ];

    /// <summary>Shows downloads: a line per file when it starts and when it ends (and a bar on a terminal).</summary>
    private sealed class DownloadReporter : IProgress<HubDownloadProgress>
    {
        private readonly CliContext _context;
        private readonly object _gate = new();
        private string? _current;
        private DateTime _lastDraw;

        public DownloadReporter(CliContext context) => _context = context;

        public void Report(HubDownloadProgress value)
        {
            lock (_gate)
            {
                if (value.FileName != _current)
                {
                    Finish();
                    _current = value.FileName;
                    _context.Error.WriteLine($"clip: downloading {value.FileName}{(value.TotalBytes is long t ? $" ({Megabytes(t)})" : string.Empty)}");
                }

                if (_context.ErrorIsTerminal && DateTime.UtcNow - _lastDraw > TimeSpan.FromMilliseconds(200))
                {
                    _lastDraw = DateTime.UtcNow;
                    string total = value.TotalBytes is long all ? $"/{Megabytes(all)}" : string.Empty;
                    _context.Error.Write($"\r  {Megabytes(value.BytesDownloaded)}{total}\u001b[K");
                }
            }
        }

        public void Finish()
        {
            lock (_gate)
            {
                if (_current is not null && _context.ErrorIsTerminal)
                {
                    _context.Error.WriteLine();
                }

                _current = null;
            }
        }

        private static string Megabytes(long bytes) => $"{bytes / 1048576.0:F1} MB";
    }
}
