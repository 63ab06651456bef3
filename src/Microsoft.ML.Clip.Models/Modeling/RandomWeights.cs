using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// Random weights for benchmarks and structure tests: each tensor is drawn from a generator seeded by the model seed and
/// the tensor's name, so a model is the same whatever order its parts are built in.
/// </summary>
public sealed class RandomWeights : IWeightSource
{
    private readonly int _seed;

    /// <summary>Creates the source.</summary>
    /// <param name="seed">The seed; equal seeds give equal models.</param>
    public RandomWeights(int seed) => _seed = seed;

    /// <inheritdoc />
    public Tensor Take(string name, WeightRole role, params int[] shape)
    {
        var tensor = new Tensor(shape);
        Span<float> values = tensor.Span;
        switch (role)
        {
            case WeightRole.NormScale:
                values.Fill(1f);
                return tensor;
            case WeightRole.NormShift:
                return tensor;
            case WeightRole.Scale:
                values.Fill(0.1f);
                return tensor;
            case WeightRole.LogitScale:
                values.Fill(MathF.Log(1f / 0.07f));
                return tensor;
        }

        float std = role switch
        {
            WeightRole.Matrix => 1f / MathF.Sqrt(Math.Max(1, tensor.Length / shape[0])),
            WeightRole.Bias => 0.02f,
            _ => 0.02f,
        };
        var random = new Random(_seed ^ StableHash(name));
        for (int i = 0; i < values.Length; i++)
        {
            // Box–Muller; one normal per pair is enough here.
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            values[i] = std * (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }

        return tensor;
    }

    private static int StableHash(string text)
    {
        unchecked
        {
            int hash = (int)2166136261;
            foreach (char c in text)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash;
        }
    }
}
