using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Internal;

namespace Microsoft.ML;

/// <summary>
/// Saves and loads whole pipelines that contain X-CLIP/AltCLIP transformers. ML.NET's
/// <c>mlContext.Model.Save</c> cannot store third-party transformers, so the pipeline is split:
/// our transformers are saved as small JSON states (model reference and options, not weights) and
/// every run of ML.NET's own transformers between them with <c>mlContext.Model.Save</c>, all in
/// one zip file. Loading rebuilds a <see cref="TransformerChain{TLastTransformer}"/> that gives the
/// same outputs. Transformer scopes are not kept (every step is applied, as with <c>Transform</c>).
/// </summary>
public static class ClipModelPersistence
{
    private const string FormatName = "Microsoft.ML.Clip.Pipeline";
    private const string ManifestEntry = "manifest.json";

    /// <summary>Saves <paramref name="model"/> (a transformer or a chain) to a zip file.</summary>
    /// <param name="mlContext">The context (saves the ML.NET parts).</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">The schema of the data the pipeline is applied to.</param>
    /// <param name="path">The file to write (written to a temporary name, then renamed).</param>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Clip.IO.AtomicFile.Write(path, stream => Save(mlContext, model, inputSchema, stream, ClipTransformerBase.FolderOf(path)));
    }

    /// <summary>Saves <paramref name="model"/> (a transformer or a chain) as a zip archive into <paramref name="stream"/>.</summary>
    /// <param name="mlContext">The context (saves the ML.NET parts).</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">The schema of the data the pipeline is applied to.</param>
    /// <param name="stream">The stream.</param>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, Stream stream) =>
        Save(mlContext, model, inputSchema, stream, null);

    private static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, Stream stream, string? savedFileFolder)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(stream);

        var steps = new List<Manifest.Step>();
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        DataViewSchema schema = inputSchema;
        var pending = new List<ITransformer>();
        DataViewSchema pendingInput = schema;

        void FlushPending()
        {
            if (pending.Count == 0)
            {
                return;
            }

            string entry = $"step-{steps.Count:D3}.mlnet.zip";
            using (var buffer = new MemoryStream())
            {
                mlContext.Model.Save(new TransformerChain<ITransformer>(pending.ToArray()), pendingInput, buffer);
                using var target = archive.CreateEntry(entry).Open();
                buffer.Position = 0;
                buffer.CopyTo(target);
            }

            steps.Add(new Manifest.Step { Kind = "mlnet", Entry = entry });
            pending.Clear();
        }

        foreach (ITransformer transformer in Flatten(model))
        {
            if (transformer is ClipTransformerBase clip)
            {
                FlushPending();
                string entry = $"step-{steps.Count:D3}.clip.json";
                using (var target = archive.CreateEntry(entry).Open())
                {
                    clip.WriteState(target, savedFileFolder);
                }

                steps.Add(new Manifest.Step { Kind = "clip", Entry = entry });
            }
            else
            {
                if (pending.Count == 0)
                {
                    pendingInput = schema;
                }

                pending.Add(transformer);
            }

            schema = transformer.GetOutputSchema(schema);
        }

        FlushPending();
        var manifest = new Manifest
        {
            Format = FormatName,
            Version = 1,
            InputSchema = inputSchema.Where(c => !c.IsHidden).Select(SavedColumn.From).ToArray(),
            Steps = steps.ToArray(),
        };
        using var manifestStream = archive.CreateEntry(ManifestEntry).Open();
        JsonSerializer.Serialize(manifestStream, manifest, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Loads a pipeline saved by <see cref="Save(MLContext, ITransformer, DataViewSchema, string)"/>.</summary>
    /// <param name="mlContext">The context (loads the ML.NET parts).</param>
    /// <param name="path">The zip file.</param>
    /// <param name="inputSchema">Receives the saved input schema (names and types).</param>
    /// <param name="modelLoader">Loads the X-CLIP/AltCLIP models; <see langword="null"/> uses <see cref="ClipModelLoader.Default"/>.</param>
    /// <param name="modelPath">
    /// The model folder or Hugging Face id to use instead of the saved one, for every X-CLIP/AltCLIP step (e.g. after the
    /// model folder moved); <see langword="null"/>: the saved reference (a folder saved relative to the file is found
    /// relative to <paramref name="path"/>). A pipeline whose steps use different models cannot take an override.
    /// </param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="DirectoryNotFoundException">A saved model folder does not exist and <paramref name="modelPath"/> is not given (the message says how to pass it).</exception>
    public static TransformerChain<ITransformer> Load(MLContext mlContext, string path, out DataViewSchema inputSchema, IClipModelLoader? modelLoader = null, string? modelPath = null)
    {
        using var stream = File.OpenRead(path);
        return Load(mlContext, stream, out inputSchema, modelLoader, path, ClipTransformerBase.FolderOf(path), modelPath);
    }

    /// <summary>Loads a pipeline saved by <see cref="Save(MLContext, ITransformer, DataViewSchema, Stream)"/>.</summary>
    /// <param name="mlContext">The context (loads the ML.NET parts).</param>
    /// <param name="stream">The zip archive.</param>
    /// <param name="inputSchema">Receives the saved input schema (names and types).</param>
    /// <param name="modelLoader">Loads the X-CLIP/AltCLIP models; <see langword="null"/> uses <see cref="ClipModelLoader.Default"/>.</param>
    /// <param name="modelPath">The model folder or Hugging Face id to use instead of the saved one, for every X-CLIP/AltCLIP step; <see langword="null"/>: the saved reference.</param>
    /// <returns>The pipeline.</returns>
    public static TransformerChain<ITransformer> Load(MLContext mlContext, Stream stream, out DataViewSchema inputSchema, IClipModelLoader? modelLoader = null, string? modelPath = null) =>
        Load(mlContext, stream, out inputSchema, modelLoader, "stream", null, modelPath);

    private static TransformerChain<ITransformer> Load(
        MLContext mlContext, Stream stream, out DataViewSchema inputSchema, IClipModelLoader? modelLoader, string source, string? savedFileFolder, string? modelPath)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{source}' is not a pipeline saved by ClipModelPersistence.Save (not a zip file).", e);
        }

        using (archive)
        {
            ZipArchiveEntry manifestEntry = archive.GetEntry(ManifestEntry)
                ?? throw new InvalidDataException($"'{source}' has no {ManifestEntry}: it was not saved by ClipModelPersistence.Save (ML.NET model files load with mlContext.Model.Load).");
            Manifest? manifest;
            using (var manifestStream = manifestEntry.Open())
            {
                manifest = JsonSerializer.Deserialize<Manifest>(manifestStream);
            }

            if (manifest is null || manifest.Format != FormatName || manifest.Version != 1)
            {
                throw new InvalidDataException($"'{source}' has a manifest of format '{manifest?.Format}' version {manifest?.Version}; expected '{FormatName}' version 1.");
            }

            if (modelPath is not null)
            {
                CheckOneModel(archive, manifest, source);
            }

            var steps = new List<ITransformer>();
            foreach (Manifest.Step step in manifest.Steps)
            {
                ZipArchiveEntry entry = archive.GetEntry(step.Entry)
                    ?? throw new InvalidDataException($"'{source}' lists step '{step.Entry}' but has no such entry.");
                using var entryStream = entry.Open();
                using var buffer = new MemoryStream();
                entryStream.CopyTo(buffer);
                buffer.Position = 0;
                steps.Add(step.Kind switch
                {
                    "clip" => ClipTransformerBase.Load(buffer, modelLoader, $"{source}!{step.Entry}", savedFileFolder, modelPath),
                    "mlnet" => mlContext.Model.Load(buffer, out _),
                    _ => throw new InvalidDataException($"'{source}' has a step of unknown kind '{step.Kind}'."),
                });
            }

            inputSchema = SavedColumn.ToSchema(manifest.InputSchema);
            return new TransformerChain<ITransformer>(steps.ToArray());
        }
    }

    /// <summary>A model-path override replaces every step's model: refuse it when the steps were saved with different models.</summary>
    private static void CheckOneModel(ZipArchive archive, Manifest manifest, string source)
    {
        var models = new HashSet<string>(StringComparer.Ordinal);
        foreach (Manifest.Step step in manifest.Steps.Where(s => s.Kind == "clip"))
        {
            using Stream entry = archive.GetEntry(step.Entry)?.Open()
                ?? throw new InvalidDataException($"'{source}' lists step '{step.Entry}' but has no such entry.");
            using var buffer = new MemoryStream();
            entry.CopyTo(buffer);
            buffer.Position = 0;
            models.Add(TransformerState.ReadFrom(buffer, $"{source}!{step.Entry}").ModelPath);
        }

        if (models.Count > 1)
        {
            throw new ArgumentException(
                $"'{source}' holds X-CLIP/AltCLIP steps saved with different models ({string.Join(", ", models.Select(m => $"'{m}'"))}); a single modelPath cannot replace them all. " +
                "Load it without modelPath (after restoring the folders), or save the pipeline again with the models where they now are.",
                "modelPath");
        }
    }

    /// <summary>The transformers of a (possibly nested) chain, in order.</summary>
    private static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain and not ClipTransformerBase)
        {
            foreach (ITransformer inner in chain)
            {
                foreach (ITransformer t in Flatten(inner))
                {
                    yield return t;
                }
            }
        }
        else
        {
            yield return model;
        }
    }

    private sealed class Manifest
    {
        public string Format { get; set; } = string.Empty;

        public int Version { get; set; }

        public SavedColumn[] InputSchema { get; set; } = [];

        public Step[] Steps { get; set; } = [];

        public sealed class Step
        {
            public string Kind { get; set; } = string.Empty;

            public string Entry { get; set; } = string.Empty;
        }
    }
}
