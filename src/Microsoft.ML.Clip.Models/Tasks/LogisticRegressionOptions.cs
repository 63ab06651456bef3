namespace Microsoft.ML.Clip.Tasks;

/// <summary>Training options of <see cref="LogisticRegressionHead"/>.</summary>
public sealed class LogisticRegressionOptions
{
    /// <summary>The L2 penalty λ on the weights (not the biases): the loss adds <c>λ/2·‖W‖²</c> to the mean cross-entropy.</summary>
    public double L2Regularization { get; set; } = 1e-3;

    /// <summary>The L-BFGS iteration limit.</summary>
    public int MaxIterations { get; set; } = 1000;

    /// <summary>Stop when every gradient component is below this.</summary>
    public double GradientTolerance { get; set; } = 1e-6;

    /// <summary>The number of L-BFGS correction pairs kept.</summary>
    public int History { get; set; } = 10;

    /// <summary>Whether embeddings are L2-normalised before training and prediction (usual for CLIP embeddings).</summary>
    public bool NormalizeInputs { get; set; } = true;
}
