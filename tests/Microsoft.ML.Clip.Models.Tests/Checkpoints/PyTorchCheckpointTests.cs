using Microsoft.ML.Clip.Checkpoints;

namespace Microsoft.ML.Clip.Tests.Checkpoints;

[TestClass]
public sealed class PyTorchCheckpointTests
{
    [TestMethod]
    [DataRow("os", "system")]
    [DataRow("posix", "system")]
    [DataRow("builtins", "eval")]
    [DataRow("subprocess", "Popen")]
    public void MaliciousReducePickleIsRejectedNamingTheGlobal(string module, string name)
    {
        // What pickle.dumps writes for an object whose __reduce__ returns (os.system, ("echo pwned",)).
        byte[] pickle = new PickleBuilder().Proto().Global(module, name).Unicode("echo pwned > /tmp/pwned").Tuple1().Reduce().Stop().ToArray();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => OpenZip(("archive/data.pkl", pickle), ("archive/version", "3\n"u8.ToArray())));
        StringAssert.Contains(error.Message, $"'{module}.{name}'");
        StringAssert.Contains(error.Message, "not allowed");
        StringAssert.Contains(error.Message, "data.pkl");
    }

    [TestMethod]
    public void MaliciousGlobalInsideAStateDictIsRejected()
    {
        // A plausible state dict whose second value is built by builtins.exec.
        byte[] pickle = new PickleBuilder().Proto()
            .Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Mark()
            .Unicode("w").Tensor("FloatStorage", "0", 2, 0, new[] { 2 }, new[] { 1 })
            .Unicode("evil").Global("builtins", "exec").Unicode("import os").Tuple1().Reduce()
            .SetItems().Stop().ToArray();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => OpenZip(("archive/data.pkl", pickle), ("archive/data/0", TestFiles.F32(1, 2))));
        StringAssert.Contains(error.Message, "'builtins.exec'");
    }

    [TestMethod]
    public void UnsupportedOpcodesAndTruncatedPicklesAreRejected()
    {
        // INST ('i') instantiates arbitrary classes: never interpreted.
        byte[] inst = new PickleBuilder().Proto().Mark().Op((byte)'i').ToArray();
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => OpenZip(("a/data.pkl", inst))).Message, "opcode 0x69");
        byte[] truncated = new PickleBuilder().Proto().Unicode("abcdef").ToArray()[..8];
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => OpenZip(("a/data.pkl", truncated))).Message, "past the end");
    }

    [TestMethod]
    [DataRow("../evil.txt")]
    [DataRow("archive/../../evil.txt")]
    [DataRow("/etc/evil")]
    [DataRow("archive\\..\\evil")]
    public void ZipEntriesWithUnsafePathsAreRefused(string entryName)
    {
        byte[] pickle = new PickleBuilder().Proto().EmptyDict().Stop().ToArray();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => OpenZip(("archive/data.pkl", pickle), (entryName, new byte[] { 1 })));
        StringAssert.Contains(error.Message, entryName);
        StringAssert.Contains(error.Message, "unsafe path");
    }

    [TestMethod]
    public void StridedAndOffsetViewsAreHonoured()
    {
        // Storage "0" holds 0..7; "t" is its [2,3] block viewed transposed (size (3,2), stride (1,3)) from offset 1,
        // "row" is elements 5..7 (offset 5), "half" is an F16 storage.
        byte[] pickle = new PickleBuilder().Proto()
            .Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Mark()
            .Unicode("t").Tensor("FloatStorage", "0", 8, 1, new[] { 3, 2 }, new[] { 1, 3 })
            .Unicode("row").Tensor("FloatStorage", "0", 8, 5, new[] { 1, 3 }, new[] { 3, 1 })
            .Unicode("half").Tensor("HalfStorage", "1", 2, 0, new[] { 2 }, new[] { 1 })
            .SetItems().Stop().ToArray();
        byte[] halves = new[] { (Half)1.5f, (Half)(-3f) }.SelectMany(h => BitConverter.GetBytes(h)).ToArray();
        using var store = OpenZip(("archive/data.pkl", pickle), ("archive/data/0", TestFiles.F32(0, 1, 2, 3, 4, 5, 6, 7)), ("archive/data/1", halves));

        // Storage rows from offset 1: [1 2 3; 4 5 6]; transposed: [1 4; 2 5; 3 6].
        CollectionAssert.AreEqual(new[] { 1f, 4f, 2f, 5f, 3f, 6f }, store.LoadFloat32("t").ToArray());
        CollectionAssert.AreEqual(new[] { 3, 2 }, store.GetInfo("t")!.Shape);
        CollectionAssert.AreEqual(new[] { 5f, 6f, 7f }, store.LoadFloat32("row").ToArray());
        Assert.AreEqual(TensorDataType.Float16, store.GetInfo("half")!.DataType);
        CollectionAssert.AreEqual(new[] { 1.5f, -3f }, store.LoadFloat32("half").ToArray());
    }

    [TestMethod]
    [DataRow("gAJjY29sbGVjdGlvbnMKT3JkZXJlZERpY3QKcQApUnEBKFgBAAAAYXECY3RvcmNoLl91dGlscwpfcmVidWlsZF90ZW5zb3JfdjIKcQMoKFgHAAAAc3RvcmFnZXEEY3RvcmNoCkZsb2F0U3RvcmFnZQpxBVgBAAAAMHEGWAMAAABjcHVxB0sGdHEIUUsASwJLA4ZxCUsDSwGGcQqJaAApUnELdHEMUnENWAEAAABicQ5oAyhoCFFLAEsDSwKGcQ9LAUsDhnEQiWgAKVJxEXRxElJxE1gBAAAAY3EUaAMoaAhRSwFLAoVxFWgViWgAKVJxFnRxF1JxGHV9cRlYCQAAAF9tZXRhZGF0YXEaaAApUnEbWAAAAABxHH1xHVgHAAAAdmVyc2lvbnEeSwFzc3NiLg==")]
    [DataRow("gASVAAEAAAAAAACMC2NvbGxlY3Rpb25zlIwLT3JkZXJlZERpY3SUk5QpUpQojAFhlIwMdG9yY2guX3V0aWxzlIwSX3JlYnVpbGRfdGVuc29yX3YylJOUKCiMB3N0b3JhZ2WUjAV0b3JjaJSMDEZsb2F0U3RvcmFnZZSTlIwBMJSMA2NwdZRLBnSUUUsASwJLA4aUSwNLAYaUiWgCKVKUdJRSlIwBYpRoByhoDlFLAEsDSwKGlEsBSwOGlIloAilSlHSUUpSMAWOUaAcoaA5RSwFLAoWUaBuJaAIpUpR0lFKUdX2UjAlfbWV0YWRhdGGUaAIpUpSMAJR9lIwHdmVyc2lvbpRLAXNzc2Iu")]
    public void PicklesWrittenByCPythonAreRead(string base64)
    {
        // CPython's pickle (protocols 2 and 4) of a state dict whose tensors share storage "0" = [0..5]:
        // a = [2,3] view, b = its transpose (stride (1,3)), c = offset 1 stride 2 (shape and stride share one memoized
        // tuple), plus the _metadata attribute that torch state dicts carry (BUILD). Made with stand-in torch modules.
        byte[] pickle = Convert.FromBase64String(base64);
        using var store = OpenZip(("archive/data.pkl", pickle), ("archive/data/0", TestFiles.F32(0, 1, 2, 3, 4, 5)));
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, store.Names.ToArray());
        CollectionAssert.AreEqual(new[] { 0f, 1f, 2f, 3f, 4f, 5f }, store.LoadFloat32("a").ToArray());
        CollectionAssert.AreEqual(new[] { 0f, 3f, 1f, 4f, 2f, 5f }, store.LoadFloat32("b").ToArray());
        CollectionAssert.AreEqual(new[] { 1f, 3f }, store.LoadFloat32("c").ToArray());
    }

    [TestMethod]
    public void ViewsReachingPastTheirStorageAreRejected()
    {
        byte[] pickle = new PickleBuilder().Proto()
            .Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Mark().Unicode("w").Tensor("FloatStorage", "0", 4, 2, new[] { 2, 2 }, new[] { 2, 1 }).SetItems().Stop().ToArray();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => OpenZip(("archive/data.pkl", pickle), ("archive/data/0", TestFiles.F32(1, 2, 3, 4))));
        StringAssert.Contains(error.Message, "'w'");
        StringAssert.Contains(error.Message, "element 5");

        // The storage entry is shorter than numel says.
        byte[] ok = new PickleBuilder().Proto()
            .Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Mark().Unicode("w").Tensor("FloatStorage", "0", 4, 0, new[] { 4 }, new[] { 1 }).SetItems().Stop().ToArray();
        using var store = OpenZip(("archive/data.pkl", ok), ("archive/data/0", TestFiles.F32(1, 2)));
        var shortStorage = Assert.ThrowsExactly<InvalidDataException>(() => store.LoadFloat32("w"));
        StringAssert.Contains(shortStorage.Message, "archive/data/0");
        StringAssert.Contains(shortStorage.Message, "16");
    }

    [TestMethod]
    public void NonZipAndNonTensorValuesAreRejected()
    {
        string folder = TestFiles.NewFolder();
        try
        {
            string legacy = Path.Combine(folder, "legacy.bin");
            File.WriteAllBytes(legacy, new PickleBuilder().Proto().EmptyDict().Stop().ToArray());
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => PyTorchCheckpoint.Open(legacy)).Message, "not a zip-format");
        }
        finally
        {
            TestFiles.DeleteFolder(folder);
        }

        byte[] pickle = new PickleBuilder().Proto().EmptyDict().Mark().Unicode("epoch").Int(3).SetItems().Stop().ToArray();
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => OpenZip(("a/data.pkl", pickle))).Message, "'epoch'");
    }

    private static PyTorchCheckpoint OpenZip(params (string Name, byte[] Data)[] entries)
    {
        string folder = TestFiles.NewFolder();
        try
        {
            string path = Path.Combine(folder, "pytorch_model.bin");
            TestFiles.Zip(path, entries);
            return PyTorchCheckpoint.Open(path);
        }
        finally
        {
            TestFiles.DeleteFolder(folder);
        }
    }
}
