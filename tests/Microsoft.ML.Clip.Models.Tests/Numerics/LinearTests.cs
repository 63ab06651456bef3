using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Tests.Numerics;

/// <summary><see cref="Linear"/> (packed weights, fused bias and activation) against a double reference.</summary>
[TestClass]
public sealed class LinearTests
{
    private static readonly (int Rows, int In, int Out)[] Shapes =
    [
        (1, 1, 1), (3, 7, 17), (7, 33, 50), (17, 77, 3), (50, 257, 65), (2, 768, 77), (5, 1024, 257), (3, 3072, 7),
    ];

    [TestMethod]
    [DataRow(Activation.None)]
    [DataRow(Activation.QuickGelu)]
    [DataRow(Activation.Gelu)]
    [DataRow(Activation.Tanh)]
    public void MatchesReferenceWithBiasAndActivation(Activation activation)
    {
        foreach ((int rows, int inFeatures, int outFeatures) in Shapes)
        {
            float[] x = NumericsReference.Random(rows * inFeatures, 40);
            float[] w = NumericsReference.Random(outFeatures * inFeatures, 41);
            float[] bias = NumericsReference.Random(outFeatures, 42);
            var linear = new Linear(new Tensor(w, outFeatures, inFeatures), new Tensor(bias, outFeatures));
            float[] y = new float[rows * outFeatures];
            linear.Forward(x, y, rows, activation);

            (double[] product, double[] scale) = NumericsReference.MatMul(x, w, rows, inFeatures, outFeatures, transposeB: true);
            double[] expected = new double[y.Length];
            double[] tolerance = new double[y.Length];
            for (int i = 0; i < y.Length; i++)
            {
                double pre = product[i] + bias[i % outFeatures];

                // The pre-activation may be off by 1e-5·(Σ|x·w| + |b|); pass that through the activation's slope (≤ 1.13).
                double slack = 1e-5 * (scale[i] + Math.Abs(bias[i % outFeatures]));
                expected[i] = Apply(activation, pre);
                tolerance[i] = (1.13 * slack) + (1e-6 * Math.Abs(expected[i]));
            }

            NumericsReference.AssertClose(y, expected, tolerance, 1, 0, $"{activation} [{rows},{inFeatures}]→{outFeatures}");
        }
    }

    [TestMethod]
    public void NoBiasAndTensorOverloadKeepLeadingAxes()
    {
        float[] w = NumericsReference.Random(5 * 3, 43);
        var linear = new Linear(new Tensor(w, 5, 3), null);
        var input = new Tensor(NumericsReference.Random(2 * 4 * 3, 44), 2, 4, 3);
        Tensor output = linear.Forward(input);
        CollectionAssert.AreEqual(new[] { 2, 4, 5 }, output.Shape.ToArray());
        (double[] expected, double[] scale) = NumericsReference.MatMul(input.ToArray(), w, 8, 3, 5, transposeB: true);
        NumericsReference.AssertClose(output.Span, expected, scale, 1e-5, 0, "no bias");
    }

    [TestMethod]
    [DataRow(Activation.Gelu)]
    [DataRow(Activation.QuickGelu)]
    [DataRow(Activation.Tanh)]
    [DataRow(Activation.None)]
    public void EveryInstructionSetAndThreadCountGivesTheSameBits(Activation activation)
    {
        // 47 rows, 200 columns: full 6×64 tiles, 5-row and 8-column edge tiles, each activation, against the scalar path.
        const int rows = 47, inFeatures = 300, outFeatures = 200; // ≈5.6 MFLOP: enough work for 5 threads
        float[] x = NumericsReference.Random(rows * inFeatures, 45);
        var linear = new Linear(
            new Tensor(NumericsReference.Random(outFeatures * inFeatures, 46), outFeatures, inFeatures),
            new Tensor(NumericsReference.Random(outFeatures, 47), outFeatures));
        float[] reference = new float[rows * outFeatures];
        linear.Forward(x, reference, rows, activation, SimdLevel.Scalar, 1);
        foreach (SimdLevel level in Enum.GetValues<SimdLevel>().Where(SimdLevelInfo.IsSupported))
        {
            foreach (int threads in new[] { 1, 2, 5 })
            {
                float[] y = new float[rows * outFeatures];
                linear.Forward(x, y, rows, activation, level, threads);
                NumericsReference.AssertIdentical(reference, y, $"{activation}, {level}, {threads} threads");
            }
        }
    }

    [TestMethod]
    public void PartialRowTilesWithBiasActivationAndResidualGiveTheScalarBits()
    {
        // The ViT-B/32 image shape (50 rows: 8 tiles of 6 and one of 2) and every other last-tile height, with the fused
        // bias and activation (fc1) and the residual accumulation (fc2, out_proj), against the scalar path on one thread.
        const int inFeatures = 768, outFeatures = 192;
        var linear = new Linear(
            new Tensor(NumericsReference.Random(outFeatures * inFeatures, 56), outFeatures, inFeatures),
            new Tensor(NumericsReference.Random(outFeatures, 57), outFeatures));
        foreach (int rows in new[] { 1, 2, 3, 4, 5, 50 })
        {
            float[] x = NumericsReference.Random(rows * inFeatures, 58);
            float[] residual = NumericsReference.Random(rows * outFeatures, 59);
            foreach ((Activation activation, bool accumulate) in new[] { (Activation.QuickGelu, false), (Activation.None, true) })
            {
                float[] reference = (float[])residual.Clone();
                linear.Forward(x, reference, rows, activation, SimdLevel.Scalar, 1, accumulate);
                foreach (SimdLevel level in Enum.GetValues<SimdLevel>().Where(SimdLevelInfo.IsSupported))
                {
                    foreach (int threads in new[] { 1, 2 })
                    {
                        float[] y = (float[])residual.Clone();
                        linear.Forward(x, y, rows, activation, level, threads, accumulate);
                        NumericsReference.AssertIdentical(reference, y, $"{rows} rows, {activation}, accumulate={accumulate}, {level}, {threads} threads");
                    }
                }
            }
        }
    }

    [TestMethod]
    public void ConcurrentFirstCallsPackOnceAndAgree()
    {
        const int rows = 9, inFeatures = 130, outFeatures = 70;
        float[] x = NumericsReference.Random(rows * inFeatures, 48);
        var linear = new Linear(new Tensor(NumericsReference.Random(outFeatures * inFeatures, 49), outFeatures, inFeatures), null);
        float[] eager = new float[rows * outFeatures];
        var prepacked = new Linear(linear.Weight, null);
        prepacked.PackWeights();
        prepacked.PackWeights();
        prepacked.Forward(x, eager, rows);
        float[][] results = new float[8][];
        Parallel.For(0, results.Length, i =>
        {
            results[i] = new float[rows * outFeatures];
            linear.Forward(x, results[i], rows);
        });
        foreach (float[] result in results)
        {
            NumericsReference.AssertIdentical(eager, result, "concurrent calls and an eagerly packed layer");
        }
    }

    [TestMethod]
    public void ForwardAddAddsToTheResidual()
    {
        const int rows = 11, inFeatures = 77, outFeatures = 70;
        float[] x = NumericsReference.Random(rows * inFeatures, 52);
        float[] w = NumericsReference.Random(outFeatures * inFeatures, 53);
        float[] bias = NumericsReference.Random(outFeatures, 54);
        float[] residual = NumericsReference.Random(rows * outFeatures, 55);
        var linear = new Linear(new Tensor(w, outFeatures, inFeatures), new Tensor(bias, outFeatures));
        float[] y = (float[])residual.Clone();
        linear.ForwardAdd(x, y, rows);
        (double[] product, double[] scale) = NumericsReference.MatMul(x, w, rows, inFeatures, outFeatures, transposeB: true);
        for (int i = 0; i < y.Length; i++)
        {
            product[i] += residual[i] + bias[i % outFeatures];
            scale[i] += Math.Abs(residual[i]) + Math.Abs(bias[i % outFeatures]);
        }

        NumericsReference.AssertClose(y, product, scale, 1e-5, 0, "residual + linear");
    }

    [TestMethod]
    public void WrongSizesAreRejected()
    {
        var linear = new Linear(new Tensor(4, 3), new Tensor(4));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => linear.Forward(new float[5], new float[8], 2));
        StringAssert.Contains(ex.Message, "needs an input of 6");
        Assert.ThrowsExactly<ArgumentException>(() => linear.Forward(new Tensor(2, 4)));
        Assert.ThrowsExactly<ArgumentException>(() => new Linear(new Tensor(4, 3), new Tensor(3)));
    }

    [TestMethod]
    public void SteadyStateForwardDoesNotAllocate()
    {
        const int rows = 13, inFeatures = 96, outFeatures = 200;
        var linear = new Linear(new Tensor(NumericsReference.Random(outFeatures * inFeatures, 50), outFeatures, inFeatures), new Tensor(outFeatures));
        float[] x = NumericsReference.Random(rows * inFeatures, 51);
        float[] y = new float[rows * outFeatures];
        linear.Forward(x, y, rows, Activation.QuickGelu);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            linear.Forward(x, y, rows, Activation.QuickGelu);
        }

        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static double Apply(Activation activation, double x) => activation switch
    {
        Activation.None => x,
        Activation.QuickGelu => x / (1 + Math.Exp(-1.702 * x)),
        Activation.Gelu => NumericsReference.Gelu(x),
        Activation.Tanh => Math.Tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    [TestMethod]
    public void ManagedWeightIsReleasedOncePackedAndRebuiltExactlyOnDemand()
    {
        float[] w = NumericsReference.Random(70 * 33, 45); // 70 outputs: one full 64-column panel and a partial one
        var weight = new Tensor(w, 70, 33);
        var linear = new Linear(weight, null);
        Assert.AreSame(weight, linear.Weight, "before packing the layer hands back the weight it was given");

        linear.PackWeights();
        Tensor rebuilt = linear.Weight;
        Assert.AreNotSame(weight, rebuilt, "once packed, a managed weight is let go and rebuilt from the panels");
        CollectionAssert.AreEqual(new[] { 70, 33 }, rebuilt.Shape.ToArray());
        CollectionAssert.AreEqual(w, rebuilt.ToArray());
        Assert.AreEqual(33, linear.InFeatures);
        Assert.AreEqual(70, linear.OutFeatures);

        Linear other = LayerWithTrackedWeight(out WeakReference weak);
        other.PackWeights();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.IsFalse(weak.IsAlive, "the layer must not keep its unpacked weight alive after packing");
        GC.KeepAlive(other);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static Linear LayerWithTrackedWeight(out WeakReference weight)
    {
        float[] w = NumericsReference.Random(65 * 9, 46);
        weight = new WeakReference(w);
        return new Linear(new Tensor(w, 65, 9), null);
    }
}
