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
        // Uniform on [-√3·std, √3·std] (standard deviation std): cheap enough to fill a 0.86 B-parameter model quickly.
        var random = new Random(_seed ^ StableHash(name));
        float half = std * MathF.Sqrt(3f);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = ((2f * random.NextSingle()) - 1f) * half;
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
