using Microsoft.ML.Clip.Checkpoints;
using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Tests.Checkpoints;

[TestClass]
public sealed class SafeTensorsWriterTests
{
    [TestMethod]
    public void RoundTripsThroughTheLibraryReader()
    {
        string folder = TestFiles.NewFolder();
        string path = Path.Combine(folder, "out.safetensors");
        float[] values = [1.5f, -2.25f, float.Epsilon, 3e-8f, 1e30f, -0f];
        new SafeTensorsWriter()
            .Add("a.b", new Tensor(values, 2, 3))
            .Add("ids", new long[] { 49406, -1, long.MaxValue }, [1, 3])
            .SetMetadata("format", "pt")
            .Save(path);

        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        CollectionAssert.AreEquivalent(new[] { "a.b", "ids" }, file.Names.ToArray());
        Tensor a = file.LoadFloat32("a.b");
        CollectionAssert.AreEqual(new[] { 2, 3 }, a.Shape.ToArray());
        CollectionAssert.AreEqual(values, a.ToArray());
        var (ids, shape) = file.LoadInt64("ids");
        CollectionAssert.AreEqual(new long[] { 49406, -1, long.MaxValue }, ids);
        CollectionAssert.AreEqual(new[] { 1, 3 }, shape);
        file.Dispose();
        TestFiles.DeleteFolder(folder);
    }

    [TestMethod]
    public void HeaderIsPaddedToEightBytes()
    {
        using var stream = new MemoryStream();
        new SafeTensorsWriter().Add("x", new Tensor(new float[] { 1 }, 1)).WriteTo(stream);
        ulong headerLength = BitConverter.ToUInt64(stream.ToArray(), 0);
        Assert.AreEqual(0UL, headerLength % 8);
        Assert.AreEqual(8 + (long)headerLength + 4, stream.Length);
    }

    [TestMethod]
    public void RejectsMismatchedShapeAndDuplicateNames()
    {
        var writer = new SafeTensorsWriter();
        Assert.ThrowsExactly<ArgumentException>(() => writer.Add("x", new float[] { 1, 2, 3 }, [2, 2]));
        writer.Add("x", new float[] { 1 }, [1]);
        Assert.ThrowsExactly<ArgumentException>(() => writer.Add("x", new float[] { 1 }, [1]));
    }

    [TestMethod]
    public void SaveLeavesNoTemporaryFiles()
    {
        string folder = TestFiles.NewFolder();
        string path = Path.Combine(folder, "a.safetensors");
        new SafeTensorsWriter().Add("x", new float[] { 1 }, [1]).Save(path);
        new SafeTensorsWriter().Add("y", new float[] { 2 }, [1]).Save(path);
        CollectionAssert.AreEqual(new[] { "a.safetensors" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray());
        using (SafeTensorsFile file = SafeTensorsFile.Open(path))
        {
            CollectionAssert.AreEqual(new[] { "y" }, file.Names.ToArray());
        }

        TestFiles.DeleteFolder(folder);
    }
}
