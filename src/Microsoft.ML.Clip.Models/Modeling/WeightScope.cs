using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>A view of an <see cref="IWeightSource"/> under a key prefix (<c>text_model.encoder.layers.0.</c>), with builders for common layers.</summary>
public readonly struct WeightScope
{
    private readonly IWeightSource _source;
    private readonly string _prefix;

    /// <summary>Creates a scope at the root of <paramref name="source"/>; its linear layers are float32.</summary>
    /// <param name="source">The weights.</param>
    public WeightScope(IWeightSource source)
        : this(source, string.Empty, ComputePrecision.Float32)
    {
    }

    /// <summary>Creates a scope at the root of <paramref name="source"/> whose <see cref="Linear(int, int, bool)"/> layers use <paramref name="precision"/>.</summary>
    /// <param name="source">The weights.</param>
    /// <param name="precision">The arithmetic of the linear layers built from this scope and the scopes below it.</param>
    public WeightScope(IWeightSource source, ComputePrecision precision)
        : this(source, string.Empty, precision)
    {
    }

    private WeightScope(IWeightSource source, string prefix, ComputePrecision precision)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _prefix = prefix;
        Precision = precision;
    }

    /// <summary>The arithmetic of the linear layers this scope builds (inherited by the scopes below it).</summary>
    public ComputePrecision Precision { get; }

    /// <summary>The prefix, e.g. <c>vision_model.encoder.layers.3.</c>.</summary>
    public string Prefix => _prefix;

    /// <summary>A scope one level down: <c>prefix + name + "."</c>.</summary>
    /// <param name="name">The child module name.</param>
    public WeightScope this[string name] => new(_source, _prefix + name + ".", Precision);

    /// <summary>A scope one level down for an indexed child (<c>layers.3.</c>).</summary>
    /// <param name="index">The child index.</param>
    public WeightScope this[int index] => new(_source, _prefix + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".", Precision);

    /// <summary>Takes the tensor <c>prefix + name</c>.</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="role">What it is for.</param>
    /// <param name="shape">The expected shape.</param>
    public Tensor Tensor(string name, WeightRole role, params int[] shape) => _source.Take(_prefix + name, role, shape);

    /// <summary>
    /// Builds an <c>nn.Linear(inFeatures, outFeatures, bias)</c> from <c>prefix.weight</c> and <c>prefix.bias</c>, in the
    /// scope's <see cref="Precision"/>.
    /// </summary>
    /// <param name="inFeatures">The input width.</param>
    /// <param name="outFeatures">The output width.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    public Linear Linear(int inFeatures, int outFeatures, bool bias = true) => Linear(inFeatures, outFeatures, bias, Precision);

    /// <summary>
    /// Builds an <c>nn.Linear(inFeatures, outFeatures, bias)</c> in a given precision, whatever the scope's (the final
    /// projections stay float32 in an int8 model).
    /// </summary>
    /// <param name="inFeatures">The input width.</param>
    /// <param name="outFeatures">The output width.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="precision">The layer's arithmetic.</param>
    public Linear Linear(int inFeatures, int outFeatures, bool bias, ComputePrecision precision) =>
        new(Tensor("weight", WeightRole.Matrix, outFeatures, inFeatures), bias ? Tensor("bias", WeightRole.Bias, outFeatures) : null, precision);

    /// <summary>
    /// Builds an attention output projection (<c>out_proj</c>: the heads' contexts side by side → width). It stays float32
    /// whatever the scope's <see cref="Precision"/>: in an int8 model its input is the one int8 rounds worst relative to
    /// what it moves, since its output goes straight into the residual stream (measured on XLM-R large, 24 layers: the
    /// lowest embedding cosine against float32 goes from 0.9989 to 0.9995; the other candidates are in tests/perf/README).
    /// </summary>
    /// <param name="inFeatures">The input width.</param>
    /// <param name="outFeatures">The output width.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    internal Linear AttentionOutputLinear(int inFeatures, int outFeatures, bool bias = true) =>
        Linear(inFeatures, outFeatures, bias, ComputePrecision.Float32);

    /// <summary>Builds an <c>nn.LayerNorm(width, eps)</c> from <c>prefix.weight</c> and <c>prefix.bias</c>.</summary>
    /// <param name="width">The normalised width.</param>
    /// <param name="epsilon">The ε.</param>
    public LayerNorm LayerNorm(int width, double epsilon) =>
        new(Tensor("weight", WeightRole.NormScale, width), Tensor("bias", WeightRole.NormShift, width), (float)epsilon);
}
