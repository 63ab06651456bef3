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
}
