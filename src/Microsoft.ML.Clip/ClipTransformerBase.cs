using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Internal;

namespace Microsoft.ML.Transforms;

/// <summary>
/// Base of the X-CLIP/AltCLIP transformers: adds model outputs to an <see cref="IDataView"/>, running
/// the model on batches of <see cref="BatchSize"/> rows. The model is loaded once, thread-safely, by the estimator's
/// <c>Fit</c> (or, for a loaded transformer, before its first batch; a model that cannot load is an error, never a bad row). Save with <see cref="Save(string)"/> or, for whole pipelines,
/// <see cref="ClipModelPersistence"/>; <c>mlContext.Model.Save</c> cannot store third-party transformers.
/// </summary>
/// <remarks>
/// <para>The output view's cursor reads the input column on a second input cursor, <see cref="BatchSize"/> rows ahead,
/// while pass-through columns come from the main one: the input must give the same rows in the same order to two
/// cursors (loaders, caches and deterministic transforms do; put <c>AppendCacheCheckpoint</c> before this transform
/// if an upstream step is expensive). <c>GetRowCursorSet</c> returns a single cursor: the batched model call
/// already uses every core. Before a trainer that makes many passes, append <c>AppendCacheCheckpoint</c> so each
/// row is embedded once.</para>
/// <para>Only reading one of this transformer's columns runs the model; other columns pass through untouched.</para>
/// </remarks>
public abstract class ClipTransformerBase : ITransformer, IDisposable
{
    private readonly Lazy<IReadOnlyList<OutputColumn>> _outputColumns;

    internal ClipTransformerBase(string transformName, ClipTransformOptions options, string inputColumnName, ClipFunction function, Func<ClipFunction, IReadOnlyList<OutputColumn>> outputColumns)
    {
        TransformName = transformName;
        ModelPath = options.ModelPath;
        InputColumnName = inputColumnName;
        BatchSize = options.BatchSize;
        SkipBadRows = options.SkipBadRows;
        Precision = options.Precision;
        ModelLoader = options.ModelLoader;
        Function = function;
        _outputColumns = new(() => outputColumns(function), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The model folder or Hub id.</summary>
    public string ModelPath { get; }

    /// <summary>The input column.</summary>
    public string InputColumnName { get; }

    /// <summary>The number of rows per model call.</summary>
    public int BatchSize { get; }

    /// <summary>Whether unreadable rows give NaN outputs instead of an error.</summary>
    public bool SkipBadRows { get; }

    /// <summary>The arithmetic of the model's linear layers (saved with the transformer).</summary>
    public Microsoft.ML.Clip.Modeling.ComputePrecision Precision { get; }

    /// <summary>The names of the columns this transformer adds.</summary>
    public IReadOnlyList<string> OutputColumnNames => OutputColumns.Select(c => c.Name).ToArray();

    /// <summary>Always <see langword="true"/>: usable in <c>PredictionEngine</c>.</summary>
    public bool IsRowToRowMapper => true;

    internal string TransformName { get; }

    internal IClipModelLoader? ModelLoader { get; }

    internal ClipFunction Function { get; }

    internal IReadOnlyList<OutputColumn> OutputColumns => _outputColumns.Value;

    /// <summary>The input schema plus this transformer's columns.</summary>
    /// <param name="inputSchema">The input schema.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or has the wrong type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInput(inputSchema, nameof(inputSchema));
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema.AsEnumerable());
        foreach (OutputColumn column in OutputColumns)
        {
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        }

        return builder.ToSchema();
    }

    /// <summary>Lazily adds this transformer's columns to <paramref name="input"/> (computed in batches when read).</summary>
    /// <param name="input">The input data.</param>
    /// <returns>The transformed data.</returns>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ClipDataView(this, input);
    }

    /// <summary>A row-at-a-time mapper (used by <c>PredictionEngine</c>).</summary>
    /// <param name="inputSchema">The input schema.</param>
    /// <returns>The mapper.</returns>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new ClipRowMapper(this, inputSchema);
    }

    /// <summary>Always throws: ML.NET's model format has no public extension point for third-party transformers.</summary>
    /// <param name="ctx">Unused.</param>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new InvalidOperationException(
            $"{TransformName} cannot be saved with mlContext.Model.Save: ML.NET's model format has no public extension point for third-party transformers. " +
            "Save the pipeline with ClipModelPersistence.Save(mlContext, model, inputSchema, path) and load it with ClipModelPersistence.Load(mlContext, path, out inputSchema) " +
            "(or save this transformer alone with its Save(path) method).");

    /// <summary>
    /// Saves this transformer's state (model reference and options, not the weights) as JSON. A Hugging Face id is saved
    /// as the id; a local model folder below the saved file's folder is saved relative to the file (so the two can move
    /// together), any other local folder as an absolute path.
    /// </summary>
    /// <param name="path">The file to write (written to a temporary name, then renamed).</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Clip.IO.AtomicFile.Write(path, stream => WriteState(stream, FolderOf(path)));
    }

    /// <summary>Writes this transformer's state (model reference and options) as JSON; a local model folder is saved as an absolute path.</summary>
    /// <param name="stream">The stream.</param>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteState(stream, null);
    }

    /// <summary>Loads a transformer saved by <see cref="Save(string)"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="modelLoader">Loads the model; <see langword="null"/> uses <see cref="ClipModelLoader.Default"/>.</param>
    /// <param name="modelPath">The model folder or Hub id to use instead of the saved one (e.g. after moving the model); <see langword="null"/>: the saved one.</param>
    /// <returns>The transformer (its concrete type is the saved one's).</returns>
    /// <exception cref="DirectoryNotFoundException">The saved model folder does not exist and <paramref name="modelPath"/> is not given.</exception>
    public static ClipTransformerBase Load(string path, IClipModelLoader? modelLoader = null, string? modelPath = null)
    {
        using var stream = File.OpenRead(path);
        return Load(stream, modelLoader, path, FolderOf(path), modelPath);
    }

    /// <summary>Loads a transformer saved by <see cref="Save(Stream)"/>.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="modelLoader">Loads the model; <see langword="null"/> uses <see cref="ClipModelLoader.Default"/>.</param>
    /// <param name="modelPath">The model folder or Hub id to use instead of the saved one; <see langword="null"/>: the saved one.</param>
    /// <returns>The transformer.</returns>
    public static ClipTransformerBase Load(Stream stream, IClipModelLoader? modelLoader = null, string? modelPath = null) =>
        Load(stream, modelLoader, "stream", null, modelPath);

    /// <summary>Releases the loaded models (those that are disposable).</summary>
    public void Dispose()
    {
        Function.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The folder of a file path (relative model folders are saved against it).</summary>
    internal static string FolderOf(string path) => Path.GetDirectoryName(Path.GetFullPath(path))!;

    /// <summary>Writes the state; <paramref name="savedFileFolder"/> is the saved file's folder, or null for a stream.</summary>
    internal void WriteState(Stream stream, string? savedFileFolder) => ToState(savedFileFolder).WriteTo(stream);

    internal static ClipTransformerBase Load(Stream stream, IClipModelLoader? modelLoader, string source, string? savedFileFolder, string? modelPathOverride)
    {
        TransformerState state = TransformerState.ReadFrom(stream, source);
        state.ModelPath = ModelReference.ForLoading(state, source, savedFileFolder, modelPathOverride);
        ModelFingerprint.Verify(state.ModelPath, state.ModelSha256, source);
        return state.Kind switch
        {
            nameof(XClipVideoFeaturizer) => new XClipVideoFeaturizer(EmbeddingOptions<XClipVideoFeaturizerEstimator.Options>(state, modelLoader)),
            nameof(XClipTextFeaturizer) => new XClipTextFeaturizer(EmbeddingOptions<XClipTextFeaturizerEstimator.Options>(state, modelLoader)),
            nameof(AltClipTextFeaturizer) => new AltClipTextFeaturizer(EmbeddingOptions<AltClipTextFeaturizerEstimator.Options>(state, modelLoader)),
            nameof(AltClipImageFeaturizer) => new AltClipImageFeaturizer(EmbeddingOptions<AltClipImageFeaturizerEstimator.Options>(state, modelLoader)),
            nameof(ZeroShotClassifier) => new ZeroShotClassifier(new ZeroShotClassifierEstimator.Options
            {
                ModelPath = state.ModelPath,
                InputColumnName = state.InputColumnName,
                BatchSize = state.BatchSize,
                SkipBadRows = state.SkipBadRows,
                Precision = state.Precision ?? Microsoft.ML.Clip.Modeling.ComputePrecision.Float32,
                ModelLoader = modelLoader,
                Family = state.Family ?? ClipModelFamily.XClip,
                Labels = state.Labels ?? [],
                Templates = state.Templates,
                ScoreColumnName = state.ScoreColumnName ?? "Score",
                PredictedLabelColumnName = state.PredictedLabelColumnName ?? "PredictedLabel",
            }),
            _ => throw new InvalidDataException($"'{source}' holds an unknown transformer kind '{state.Kind}'."),
        };
    }

    /// <summary>This transformer's state; a local model folder below <paramref name="savedFileFolder"/> is stored relative to it.</summary>
    internal abstract TransformerState ToState(string? savedFileFolder);

    internal TransformerState BaseState(string kind, string? savedFileFolder) => new()
    {
        Kind = kind,
        ModelPath = ModelReference.ForSaving(ModelPath, savedFileFolder).Stored,
        ModelLocation = ModelReference.ForSaving(ModelPath, savedFileFolder).Location,
        ModelSha256 = ModelFingerprint.Compute(ModelPath),
        InputColumnName = InputColumnName,
        BatchSize = BatchSize,
        SkipBadRows = SkipBadRows,
        Precision = Precision,
    };

    /// <summary>Finds and type-checks the input column of a schema.</summary>
    internal (DataViewSchema.Column Column, ClipInputKind Kind) CheckInput(DataViewSchema schema, string paramName)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(InputColumnName) ?? throw SchemaErrors.MissingColumn(paramName, InputColumnName);
        ClipInputKind? kind = ClipInputKinds.Of(column.Type);
        if (kind is null || !Function.AcceptedKinds.Contains(kind.Value)
            || (kind == ClipInputKind.Pixels && ((VectorDataViewType)column.Type).Size != Function.PixelValueCount))
        {
            throw SchemaErrors.Mismatch(paramName, InputColumnName, Function.ExpectedTypes, column.Type.ToString() ?? "?", column.Type);
        }

        return (column, kind.Value);
    }

    /// <summary>Finds and type-checks the input column of a schema shape.</summary>
    internal void CheckInput(SchemaShape shape, string paramName)
    {
        SchemaShape.Column column = shape.LastOrDefault(c => c.Name == InputColumnName);
        if (column.Name is null)
        {
            throw SchemaErrors.MissingColumn(paramName, InputColumnName);
        }

        ClipInputKind? kind = ClipInputKinds.Of(column);
        if (kind is null || !Function.AcceptedKinds.Contains(kind.Value))
        {
            throw SchemaErrors.Mismatch(paramName, InputColumnName, Function.ExpectedTypes, ClipInputKinds.Describe(column), column.ItemType);
        }
    }

    /// <summary>
    /// Checks the model reference (when the default loader resolves it) and loads the model: what <c>Fit</c> does, so that
    /// a mistyped folder or id, or a model that cannot load, fails there and never as a bad row or NaN outputs.
    /// </summary>
    /// <exception cref="ArgumentException">A missing local folder, a folder without config.json, or a malformed Hub id (parameter <c>ModelPath</c>).</exception>
    internal void LoadModel()
    {
        if (ModelLoader is null or ClipModelLoader)
        {
            ModelReference.Check(ModelPath, TransformName);
        }

        Function.LoadModels();
    }

    /// <summary>Runs the model on one batch; a failing batch is retried row by row to name the bad row.</summary>
    internal float[][] ComputeBatch(IReadOnlyList<object> values, IReadOnlyList<long> positions)
    {
        Function.LoadModels(); // outside the per-row error handling: a model that cannot load is never a bad row
        int length = Function.OutputLength;
        try
        {
            return Function.Compute(values);
        }
        catch (Exception batchError) when (batchError is not OutOfMemoryException)
        {
            var result = new float[values.Count][];
            for (int i = 0; i < values.Count; i++)
            {
                Exception? rowError = batchError;
                if (values.Count > 1)
                {
                    try
                    {
                        result[i] = Function.Compute([values[i]])[0];
                        rowError = null;
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        rowError = e;
                    }
                }

                if (rowError is not null)
                {
                    if (!SkipBadRows)
                    {
                        throw new InvalidOperationException(
                            $"{TransformName}: row {positions[i]} of input column '{InputColumnName}' ('{ClipFunction.Describe(values[i])}') could not be processed: {rowError.Message} " +
                            "Fix or remove that row, or set SkipBadRows = true to emit NaN outputs for it.",
                            rowError);
                    }

                    result[i] = Enumerable.Repeat(float.NaN, length).ToArray();
                }
            }

            return result;
        }
    }

    private static TOptions EmbeddingOptions<TOptions>(TransformerState state, IClipModelLoader? loader)
        where TOptions : ClipEmbeddingOptions, new() => new()
    {
        ModelPath = state.ModelPath,
        InputColumnName = state.InputColumnName,
        OutputColumnName = state.OutputColumnName ?? state.InputColumnName,
        BatchSize = state.BatchSize,
        SkipBadRows = state.SkipBadRows,
        Precision = state.Precision ?? Microsoft.ML.Clip.Modeling.ComputePrecision.Float32,
        ModelLoader = loader,
    };
}
