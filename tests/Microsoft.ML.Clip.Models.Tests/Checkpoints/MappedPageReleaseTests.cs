using System.Runtime.InteropServices;
using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;
using Microsoft.ML.Clip.Tests.Numerics;

namespace Microsoft.ML.Clip.Tests.Checkpoints;

/// <summary>
/// Handing the pages of a memory-mapped weight back to the OS once it is packed (<c>madvise(MADV_DONTNEED)</c>): the
/// values must not change, whatever range is released. Memory figures are benchmark work and are not asserted here.
/// </summary>
[TestClass]
public sealed class MappedPageReleaseTests
{
    private const int Out = 300, In = 257; // 300·257 floats ≈ 301 KB: dozens of pages, starting off a page boundary

    [TestMethod]
    public void MappedLinearGivesTheSameBitsAndWeightAfterItsPagesAreReleased()
    {
        float[] w = NumericsReference.Random(Out * In, 60);
        float[] x = NumericsReference.Random(5 * In, 62);
        WithMappedFile(w, [Out, In], store =>
        {
            Tensor weight = store.LoadFloat32("w");
            Assert.IsNotNull(Mapped(weight), "the test needs a zero-copy mapped weight");
            var mapped = new Linear(weight, store.LoadFloat32("b"));
            var managed = new Linear(new Tensor((float[])w.Clone(), Out, In), new Tensor(Bias(), Out));

            float[] expected = new float[5 * Out];
            managed.Forward(x, expected, 5, Activation.Gelu, SimdLevel.Scalar, 1);
            float[] first = new float[5 * Out];
            mapped.Forward(x, first, 5, Activation.Gelu, SimdLevel.Scalar, 1); // packs, then releases the mapped pages
            NumericsReference.AssertIdentical(expected, first, "first forward of the mapped layer");

            Assert.AreSame(weight, mapped.Weight, "a mapped weight is kept (and read again from the file)");
            CollectionAssert.AreEqual(w, mapped.Weight.ToArray(), "the released pages read back the file's values");

            float[] again = new float[5 * Out];
            mapped.Forward(x, again, 5, Activation.Gelu, SimdLevelInfo.Best, 2);
            NumericsReference.AssertIdentical(expected, again, "forward after the pages were released");
            CollectionAssert.AreEqual(w, mapped.Weight.ToArray(), "the weight after a second forward");
        });
    }

    [TestMethod]
    public void ReleasingUnalignedTinyOrEmptyRangesIsHarmless()
    {
        float[] w = NumericsReference.Random(Out * In, 63);
        WithMappedFile(w, [Out, In], store =>
        {
            Tensor weight = store.LoadFloat32("w");
            MappedFloatMemory memory = Mapped(weight) ?? throw new AssertFailedException("the test needs a zero-copy mapped weight");
            long page = Environment.SystemPageSize;
            int floatsPerPage = (int)(page / sizeof(float));

            Assert.AreEqual(0, memory.ReleasePages(0, 0), "an empty range");
            Assert.AreEqual(0, memory.ReleasePages(3, 5), "20 bytes hold no whole page");
            Assert.AreEqual(0, memory.ReleasePages(w.Length - 1, 1), "the last float");
            long released = memory.ReleasePages(1, floatsPerPage * 3); // an odd start: at most 2 whole pages lie inside
            Assert.IsTrue(released % page == 0 && released <= 2 * page, $"{released} bytes released from 3 pages' worth starting at float 1");
            long all = memory.ReleasePages(0, w.Length);
            Assert.IsTrue(all % page == 0 && all <= (long)w.Length * sizeof(float), $"{all} bytes released of {w.Length * sizeof(float)}");
            if (OperatingSystem.IsLinux())
            {
                Assert.IsTrue(released >= page, "Linux takes the advice for the whole pages inside");
                Assert.IsTrue(all >= ((long)w.Length * sizeof(float)) - (2 * page), "Linux takes the advice for every whole page inside");
            }

            CollectionAssert.AreEqual(w, weight.ToArray(), "values after every release");
        });
    }

    [TestMethod]
    public unsafe void PagesSharedWithNeighbouringTensorsAreKept()
    {
        // The mapping is copy-on-write: a value written into it lives in a private page that MADV_DONTNEED would throw
        // away. Write next to the weight, on the pages it shares with "b" and "c", then release the weight's pages.
        float[] w = NumericsReference.Random(Out * In, 70);
        WithMappedFile(w, [Out, In], store =>
        {
            Tensor before = store.LoadFloat32("b"), weight = store.LoadFloat32("w"), after = store.LoadFloat32("c");
            long page = Environment.SystemPageSize;
            fixed (float* start = weight.Span)
            {
                Assert.AreNotEqual(0, (long)start % page, "the test needs a weight that starts off a page boundary");
                Assert.AreNotEqual(0, (long)(start + weight.Length) % page, "the test needs a weight that ends off a page boundary");
            }

            before.Span[^1] = 12345f;
            after.Span[0] = -6789f;
            Assert.IsTrue(Mapped(weight)!.ReleasePages(0, weight.Length) > 0 || !OperatingSystem.IsLinux());
            Assert.AreEqual(12345f, before.Span[^1], "the page shared with the tensor before the weight was kept");
            Assert.AreEqual(-6789f, after.Span[0], "the page shared with the tensor after the weight was kept");
            CollectionAssert.AreEqual(w, weight.ToArray());
        });
    }

    [TestMethod]
    public void RangesOutsideTheMemoryOrTheFileAreRejected()
    {
        float[] w = NumericsReference.Random(1000, 65);
        WithMappedFile(w, [1, w.Length], store =>
        {
            Tensor weight = store.LoadFloat32("w");
            MappedFloatMemory memory = Mapped(weight) ?? throw new AssertFailedException("the test needs a zero-copy mapped weight");
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => memory.ReleasePages(-1, 2));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => memory.ReleasePages(0, -1));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => memory.ReleasePages(1, w.Length));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => memory.ReleasePages(int.MaxValue, int.MaxValue));
            Assert.AreEqual(0, memory.ReleasePages(w.Length, 0), "an empty range at the end is inside");
        });

        string folder = TestFiles.NewFolder();
        try
        {
            string path = Path.Combine(folder, "bytes.bin");
            File.WriteAllBytes(path, new byte[3 * 4096]);
            using MappedFile file = MappedFile.Open(path)!;
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => file.ReleasePages(-1, 1));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => file.ReleasePages(1, file.Length));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => file.ReleasePages(long.MaxValue, long.MaxValue));
            Assert.IsTrue(file.ReleasePages(0, file.Length) >= 0);
            file.Dispose();
            Assert.ThrowsExactly<ObjectDisposedException>(() => file.ReleasePages(0, 1), "an unmapped file has no pages to advise on");
        }
        finally
        {
            TestFiles.DeleteFolder(folder);
        }
    }

    [TestMethod]
    public unsafe void PopulatedPagesKeepTheirContents()
    {
        // MADV_POPULATE_READ / _WRITE (Linux 5.14+) only map pages: a mapped file and fresh memory read the same after.
        bool taken = OperatingSystem.IsLinux() && Environment.OSVersion.Version >= new Version(5, 14);
        long page = Environment.SystemPageSize;
        long Widened(long start, long length) => ((start + length + page - 1) / page * page) - (start / page * page);

        string folder = TestFiles.NewFolder();
        try
        {
            byte[] bytes = new byte[(5 * 4096) + 123];
            new Random(70).NextBytes(bytes);
            string path = Path.Combine(folder, "bytes.bin");
            File.WriteAllBytes(path, bytes);
            using MappedFile file = MappedFile.Open(path)!;
            byte* at = file.Address(1000);
            long advised = PageAdvice.Populate(at, bytes.Length - 1000, forWrite: false);
            Assert.AreEqual(taken ? Widened((long)at, bytes.Length - 1000) : 0, advised, "a file mapping's range, widened to whole pages");
            CollectionAssert.AreEqual(bytes, file.Bytes(0, bytes.Length).ToArray(), "the mapped file reads the same");
        }
        finally
        {
            TestFiles.DeleteFolder(folder);
        }

        float[] values = GC.AllocateUninitializedArray<float>(40_000, pinned: true);
        NumericsReference.Random(values.Length, 71).CopyTo(values, 0);
        float[] expected = (float[])values.Clone();
        fixed (float* v = values)
        {
            long advised = PageAdvice.Populate(v + 3, (values.Length - 3) * sizeof(float), forWrite: true);
            Assert.AreEqual(taken ? Widened((long)(v + 3), (values.Length - 3) * sizeof(float)) : 0, advised, "memory's range, widened to whole pages");
            Assert.AreEqual(0, PageAdvice.Populate(v, 0, forWrite: true), "an empty range");
        }

        CollectionAssert.AreEqual(expected, values, "memory populated for writing keeps its values");
    }

    [TestMethod]
    public void WeightsOfADisposedStoreCanStillBePackedAndReleased()
    {
        float[] w = NumericsReference.Random(Out * In, 67);
        float[] x = NumericsReference.Random(3 * In, 68);
        Linear? mapped = null;
        WithMappedFile(w, [Out, In], store => mapped = new Linear(store.LoadFloat32("w"), null));

        // The store is disposed; the mapping lives on for the tensor the layer holds.
        float[] expected = new float[3 * Out];
        new Linear(new Tensor(w, Out, In), null).Forward(x, expected, 3, Activation.None, SimdLevel.Scalar, 1);
        float[] actual = new float[3 * Out];
        mapped!.Forward(x, actual, 3, Activation.None, SimdLevel.Scalar, 1);
        NumericsReference.AssertIdentical(expected, actual, "forward on a weight of a disposed store");
        CollectionAssert.AreEqual(w, mapped.Weight.ToArray());
    }

    /// <summary>The bias written before and after every weight ("b", "c"), so that the weight starts off a page boundary.</summary>
    private static float[] Bias() => NumericsReference.Random(Out, 61);

    private static MappedFloatMemory? Mapped(Tensor tensor) =>
        MemoryMarshal.TryGetMemoryManager<float, MappedFloatMemory>(tensor.Memory, out MappedFloatMemory? memory) ? memory : null;

    /// <summary>Writes <c>b</c>, <c>w</c> and <c>c</c> (of <paramref name="shape"/>) to a safetensors file, maps it and runs <paramref name="use"/> on the store.</summary>
    private static void WithMappedFile(float[] w, int[] shape, Action<SafeTensorsFile> use)
    {
        string folder = TestFiles.NewFolder();
        try
        {
            string path = Path.Combine(folder, "model.safetensors");
            new SafeTensorsWriter().Add("b", Bias(), [Out]).Add("w", w, shape).Add("c", Bias(), [Out]).Save(path);
            using SafeTensorsFile store = SafeTensorsFile.Open(path);
            Assert.IsTrue(store.IsMemoryMapped);
            use(store);
        }
        finally
        {
            TestFiles.DeleteFolder(folder);
        }
    }
}
