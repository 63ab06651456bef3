using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Modeling;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Testing;

namespace Microsoft.ML.Clip.Tests.Modeling;

/// <summary>Reads a model fixture folder (tests/fixtures/models/&lt;name&gt;): inputs, expected outputs and tolerances.</summary>
internal sealed class ModelFixture
{
    /// <summary>max |Δ| on embeddings and hidden states (DESIGN.md).</summary>
    public const float HiddenTolerance = 1e-4f;

    /// <summary>max |Δ| on logits, which are scaled by exp(logit_scale) (DESIGN.md).</summary>
    public const float LogitTolerance = 1e-3f;

    public ModelFixture(string name)
    {
        Folder = TestFixtures.Path("models/" + name);
        Inputs = SafeTensorsFile.Open(Path.Combine(Folder, "inputs.safetensors"));
        Expected = SafeTensorsFile.Open(Path.Combine(Folder, "expected.safetensors"));
    }

    public string Folder { get; }

    public SafeTensorsFile Inputs { get; }

    public SafeTensorsFile Expected { get; }

    public TokenBatch Tokens()
    {
        var (ids, shape) = Inputs.LoadInt64("input_ids");
        var (mask, maskShape) = Inputs.LoadInt64("attention_mask");
        CollectionAssert.AreEqual(shape, maskShape);
        return new TokenBatch(ids, mask, shape[0], shape[1]);
    }

    public Tensor Pixels() => Inputs.LoadFloat32("pixel_values");

    public static float ToleranceFor(string name) => name.StartsWith("logits", StringComparison.Ordinal) ? LogitTolerance : HiddenTolerance;

    /// <summary>max |expected − actual| (for reporting).</summary>
    public static float MaxAbsDifference(Tensor expected, Tensor actual)
    {
        float worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            worst = MathF.Max(worst, MathF.Abs(expected.Span[i] - actual.Span[i]));
        }

        return worst;
    }

    /// <summary>Compares <paramref name="actual"/> with the expected tensor of the same name.</summary>
    public void AssertClose(string name, Tensor actual) =>
        TensorAssert.Close(Expected.LoadFloat32(name), actual, ToleranceFor(name), name);
}
