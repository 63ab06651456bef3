namespace Microsoft.ML.Clip.Tasks;

/// <summary>
/// A linear probe: multinomial logistic regression on frozen embeddings, trained with L-BFGS on the
/// mean cross-entropy plus an L2 penalty on the weights. Training starts from zero and is deterministic.
/// </summary>
public sealed class LogisticRegressionHead : IEmbeddingClassifier
{
    private readonly float[] _weights; // [classes, dimension], row-major
    private readonly float[] _biases;  // [classes]

    private LogisticRegressionHead(float[] weights, float[] biases, int dimension, bool normalize, IReadOnlyList<string>? labels, LbfgsResult training)
    {
        _weights = weights;
        _biases = biases;
        Dimension = dimension;
        NormalizeInputs = normalize;
        Labels = labels;
        Training = training;
    }

    /// <inheritdoc />
    public int ClassCount => _biases.Length;

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public IReadOnlyList<string>? Labels { get; }

    /// <summary>Whether inputs are L2-normalised first.</summary>
    public bool NormalizeInputs { get; }

    /// <summary>How training ended (final loss, iterations, convergence).</summary>
    public LbfgsResult Training { get; }

    /// <summary>The weights, <c>[classes, dimension]</c> row-major.</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>The biases, one per class.</summary>
    public ReadOnlySpan<float> Biases => _biases;

    /// <summary>Trains the probe.</summary>
    /// <param name="embeddings">The training embeddings (all the same length).</param>
    /// <param name="labels">The class index of each embedding, in <c>[0, classCount)</c>.</param>
    /// <param name="classCount">The number of classes (0: from <paramref name="labelNames"/> or the largest label).</param>
    /// <param name="labelNames">The class labels, or <see langword="null"/>.</param>
    /// <param name="options">Training options.</param>
    /// <returns>The trained head.</returns>
    public static LogisticRegressionHead Train(
        IReadOnlyList<float[]> embeddings,
        IReadOnlyList<int> labels,
        int classCount = 0,
        IReadOnlyList<string>? labelNames = null,
        LogisticRegressionOptions? options = null)
    {
        options ??= new LogisticRegressionOptions();
        (int d, int c) = FewShotData.Check(embeddings, labels, classCount, labelNames);
        int n = embeddings.Count;
        var x = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            float[] e = options.NormalizeInputs ? EmbeddingMath.Normalized(embeddings[i]) : embeddings[i];
            for (int j = 0; j < d; j++)
            {
                x[(i * d) + j] = e[j];
            }
        }

        int[] y = labels.ToArray();
        double lambda = options.L2Regularization;
        var logits = new double[c];

        // θ = [W (c×d) | b (c)]. loss = 1/n Σ_i −log softmax(W·x_i + b)[y_i] + λ/2·‖W‖²
        // ∂/∂W = 1/n Σ_i (p_i − onehot(y_i)) x_iᵀ + λW,   ∂/∂b = 1/n Σ_i (p_i − onehot(y_i)).
        double Objective(ReadOnlySpan<double> theta, Span<double> grad)
        {
            grad.Clear();
            double loss = 0;
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<double> xi = x.AsSpan(i * d, d);
                double max = double.NegativeInfinity;
                for (int k = 0; k < c; k++)
                {
                    double z = theta[(c * d) + k];
                    ReadOnlySpan<double> w = theta.Slice(k * d, d);
                    for (int j = 0; j < d; j++)
                    {
                        z += w[j] * xi[j];
                    }

                    logits[k] = z;
                    max = Math.Max(max, z);
                }

                double sum = 0;
                for (int k = 0; k < c; k++)
                {
                    sum += Math.Exp(logits[k] - max);
                }

                double logSum = max + Math.Log(sum);
                loss += logSum - logits[y[i]];
                for (int k = 0; k < c; k++)
                {
                    double r = (Math.Exp(logits[k] - logSum) - (k == y[i] ? 1 : 0)) / n;
                    Span<double> gw = grad.Slice(k * d, d);
                    for (int j = 0; j < d; j++)
                    {
                        gw[j] += r * xi[j];
                    }

                    grad[(c * d) + k] += r;
                }
            }

            loss /= n;
            for (int p = 0; p < c * d; p++)
            {
                loss += 0.5 * lambda * theta[p] * theta[p];
                grad[p] += lambda * theta[p];
            }

            return loss;
        }

        var theta = new double[(c * d) + c];
        LbfgsResult result = Lbfgs.Minimize(Objective, theta, options.MaxIterations, options.GradientTolerance, options.History);
        var weights = new float[c * d];
        var biases = new float[c];
        for (int p = 0; p < c * d; p++)
        {
            weights[p] = (float)theta[p];
        }

        for (int k = 0; k < c; k++)
        {
            biases[k] = (float)theta[(c * d) + k];
        }

        return new LogisticRegressionHead(weights, biases, d, options.NormalizeInputs, labelNames?.ToArray(), result);
    }

    /// <inheritdoc />
    public float[] Logits(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != Dimension)
        {
            throw new ArgumentException($"The probe was trained on {Dimension}-value embeddings, got {embedding.Length} values.", nameof(embedding));
        }

        float[] e = NormalizeInputs ? EmbeddingMath.Normalized(embedding) : embedding.ToArray();
        var result = new float[ClassCount];
        for (int k = 0; k < ClassCount; k++)
        {
            result[k] = System.Numerics.Tensors.TensorPrimitives.Dot(_weights.AsSpan(k * Dimension, Dimension), e) + _biases[k];
        }

        return result;
    }

    /// <summary>Classifies one embedding.</summary>
    /// <param name="embedding">The embedding.</param>
    /// <returns>The prediction.</returns>
    public ClassPrediction Predict(ReadOnlySpan<float> embedding) => new(Logits(embedding), Labels);
}
