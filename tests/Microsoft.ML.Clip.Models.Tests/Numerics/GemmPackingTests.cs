using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Tests.Numerics;

/// <summary>
/// Packing the <c>nn.Linear</c> layout (<c>[n, k]</c>, rows <c>ldb</c> apart) into 64-column panels: every value where the
/// panel layout puts it and zeros past <c>n</c>, whichever path packs it (16×16 register transposes on AVX-512, the
/// blocked scalar loop for the last <c>k mod 16</c> steps and elsewhere).
/// </summary>
[TestClass]
public sealed class GemmPackingTests
{
    [TestMethod]
    public unsafe void TransposedPanelsHoldEveryValueWhereTheLayoutPutsIt()
    {
        foreach ((int n, int k) in new[] { (1, 1), (17, 15), (64, 16), (65, 17), (130, 64), (3, 100), (200, 768), (64, 33) })
        {
            int ldb = k + 3; // rows further apart than k, as a view into a wider matrix
            float[] b = NumericsReference.Random(n * ldb, n + k);
            int panels = GemmPacking.Panels(n);
            var packed = new AlignedBuffer(GemmPacking.PackedLength(k, n));
            new Span<float>(packed.Pointer, packed.Length).Fill(float.NaN); // anything not written shows
            fixed (float* pb = b)
            {
                for (int panel = 0; panel < panels; panel++)
                {
                    GemmPacking.PackPanelTransposed(pb, ldb, k, n, panel, packed.Pointer);
                }
            }

            for (int panel = 0; panel < panels; panel++)
            {
                for (int p = 0; p < k; p++)
                {
                    for (int c = 0; c < GemmMicroKernels.NR; c++)
                    {
                        int j = (panel * GemmMicroKernels.NR) + c;
                        float expected = j < n ? b[(j * ldb) + p] : 0f;
                        float actual = packed.Pointer[((long)panel * k * GemmMicroKernels.NR) + ((long)p * GemmMicroKernels.NR) + c];
                        Assert.AreEqual(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(actual), $"n {n}, k {k}: B[{j}, {p}] in panel {panel}");
                    }
                }
            }
        }
    }
}
