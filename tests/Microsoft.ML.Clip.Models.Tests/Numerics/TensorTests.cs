using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Tests.Numerics;

[TestClass]
public sealed class TensorTests
{
    [TestMethod]
    public void ReshapeAndSliceShareMemory()
    {
        var t = new Tensor(Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), 2, 3, 4);
        Tensor second = t.Slice(1);
        CollectionAssert.AreEqual(new[] { 3, 4 }, second.Shape.ToArray());
        Assert.AreEqual(12f, second[0, 0]);

        second[2, 3] = -1f;
        Assert.AreEqual(-1f, t[1, 2, 3]);
        Assert.AreEqual(-1f, t.Reshape(-1, 4)[5, 3]);
    }

    [TestMethod]
    public void WrongLengthOrShapeIsRejectedWithTheShapes()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new Tensor(new float[5], 2, 3));
        StringAssert.Contains(ex.Message, "[2, 3]");
        var t = new Tensor(2, 3);
        ex = Assert.ThrowsExactly<ArgumentException>(() => t.Reshape(4, 2));
        StringAssert.Contains(ex.Message, "[4, 2]");
    }

    [TestMethod]
    public void ConcatStacksAlongTheFirstAxisAndNamesMismatchedShapes()
    {
        var a = new Tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        var b = new Tensor(new float[] { 5, 6 }, 1, 2);
        Tensor c = Tensor.Concat([a, b]);
        CollectionAssert.AreEqual(new[] { 3, 2 }, c.Shape.ToArray());
        CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 5, 6 }, c.ToArray());

        var ex = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Concat([a, new Tensor(1, 3)]));
        StringAssert.Contains(ex.Message, "[1, 3]");
    }
}
