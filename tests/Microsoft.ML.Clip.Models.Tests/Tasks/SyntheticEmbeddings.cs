namespace Microsoft.ML.Clip.Tests.Tasks;

/// <summary>Deterministic synthetic embeddings: well separated class centres plus small noise.</summary>
internal static class SyntheticEmbeddings
{
    /// <summary>Unit class centres along distinct axes, so class k's centre is e_k (k &lt; dimension).</summary>
    public static (float[][] X, int[] Y) Clusters(int classes, int perClass, int dimension, float noise, int seed)
    {
        var random = new Random(seed);
        var x = new List<float[]>();
        var y = new List<int>();
        for (int i = 0; i < perClass; i++)
        {
            for (int c = 0; c < classes; c++)
            {
                var v = new float[dimension];
                v[c] = 1;
                for (int j = 0; j < dimension; j++)
                {
                    v[j] += noise * (float)((random.NextDouble() * 2) - 1);
                }

                x.Add(v);
                y.Add(c);
            }
        }

        return (x.ToArray(), y.ToArray());
    }
}
