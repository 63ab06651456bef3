namespace Microsoft.ML.Transforms.Internal;

/// <summary>The per-row computation of one transform, run on batches of input values.</summary>
internal abstract class ClipFunction
{
    /// <summary>The input column types accepted.</summary>
    public abstract IReadOnlyList<ClipInputKind> AcceptedKinds { get; }

    /// <summary>Describes the accepted types, as in <c>expected ...</c>.</summary>
    public abstract string ExpectedTypes { get; }

    /// <summary>The pixel count of a preprocessed input (loads the model), or 0 when pixels are not accepted.</summary>
    public virtual int PixelValueCount => 0;

    /// <summary>The length of each output vector (may load the model).</summary>
    public abstract int OutputLength { get; }

    /// <summary>Loads every model this function uses (throws what loading throws), so that a model that cannot load is an error of its own, never a bad row.</summary>
    public abstract void LoadModels();

    /// <summary>Computes a batch; input values are <see cref="string"/>, <c>string[]</c> or <c>float[]</c> by kind.</summary>
    public abstract float[][] Compute(IReadOnlyList<object> inputs);

    /// <summary>Disposes the models that were loaded and are disposable.</summary>
    public virtual void Dispose()
    {
    }

    /// <summary>Disposes a lazily loaded model if it was loaded.</summary>
    protected static void DisposeIfLoaded<T>(Lazy<T>? model)
    {
        if (model is { IsValueCreated: true } && model.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>The value as it appears in error messages.</summary>
    public static string Describe(object value) => value switch
    {
        string s => s,
        string[] frames => $"[{string.Join(", ", frames)}]",
        float[] pixels => $"<{pixels.Length} pixel values>",
        Clip.Tasks.ImageInput image => image.ToString(),
        Clip.Tasks.VideoInput video => video.ToString(),
        _ => value?.ToString() ?? "<null>",
    };

    /// <summary>The accepted types as ML.NET words them, <c>A, B or C</c>, with those registered converters read as <paramref name="media"/> last.</summary>
    protected static string ExpectedTypesOf(ClipMediaKind media, params string[] builtIn)
    {
        string[] all = [.. builtIn, .. ClipInputConverters.Describe(media)];
        return all.Length == 1 ? all[0] : $"{string.Join(", ", all[..^1])} or {all[^1]}";
    }

    /// <summary>Checks that a model returned one vector of the right length per input.</summary>
    protected static float[][] Checked(float[][] result, int count, int length, string what)
    {
        if (result is null || result.Length != count)
        {
            throw new InvalidOperationException($"{what} returned {result?.Length ?? 0} results for {count} inputs.");
        }

        foreach (float[] row in result)
        {
            if (row is null || row.Length != length)
            {
                throw new InvalidOperationException($"{what} returned a vector of {row?.Length ?? 0} values, expected {length}.");
            }
        }

        return result;
    }
}
