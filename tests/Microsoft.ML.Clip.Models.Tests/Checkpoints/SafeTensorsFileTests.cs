using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.ML.Clip.Checkpoints;
using static Microsoft.ML.Clip.Tests.Checkpoints.TestFiles;

namespace Microsoft.ML.Clip.Tests.Checkpoints;

[TestClass]
public sealed class SafeTensorsFileTests
{
    private static readonly float[] Values = { 1f, -2.5f, 0.1f, 65504f, 3.140625f, -0f, 1e-3f, 100.5f };

    [TestMethod]
    public void Float16AndBFloat16AreWidenedToFloat32()
    {
        byte[] f16 = Values.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray();
        // bfloat16 = top 16 bits of the float32 (truncation; the test values below are exact in bfloat16).
        float[] bfValues = { 1f, -2.5f, 3.140625f, 256f, -0.0078125f, 1.5e10f };
        bfValues = bfValues.Select(v => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(v) & unchecked((int)0xFFFF0000))).ToArray();
        byte[] bf16 = bfValues.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(v) >> 16))).ToArray();
        byte[] f64 = new double[] { 0.5, -1e-7, 12345.678 }.SelectMany(BitConverter.GetBytes).ToArray();

        byte[] file = SafeTensors(new[]
        {
            new RawTensor("half", "F16", new[] { 2, 4 }, f16),
            new RawTensor("brain", "BF16", new[] { 6 }, bf16),
            new RawTensor("double", "F64", new[] { 3 }, f64),
        });
        foreach (SafeTensorsFile store in OpenBothWays(file))
        {
            using (store)
            {
                Assert.AreEqual(TensorDataType.Float16, store.GetInfo("half")!.DataType);
                CollectionAssert.AreEqual(new[] { 2, 4 }, store.LoadFloat32("half").Shape.ToArray());
                CollectionAssert.AreEqual(Values.Select(v => (float)(Half)v).ToArray(), store.LoadFloat32("half").ToArray());
                CollectionAssert.AreEqual(bfValues, store.LoadFloat32("brain").ToArray());
                CollectionAssert.AreEqual(new[] { 0.5f, (float)-1e-7, (float)12345.678 }, store.LoadFloat32("double").ToArray());
            }
        }
    }

    [TestMethod]
    public void IntegerTensorsAreReadAsInt64AndRejectedAsFloat()
    {
        byte[] file = SafeTensors(new[]
        {
            new RawTensor("ids", "I64", new[] { 3 }, new long[] { 1, -2, 1L << 40 }.SelectMany(BitConverter.GetBytes).ToArray()),
            new RawTensor("i32", "I32", new[] { 2 }, new[] { 7, -9 }.SelectMany(BitConverter.GetBytes).ToArray()),
            new RawTensor("mask", "BOOL", new[] { 3 }, new byte[] { 1, 0, 1 }),
        });
        using var store = SafeTensorsFile.FromBytes(file, "ints.safetensors");
        CollectionAssert.AreEqual(new long[] { 1, -2, 1L << 40 }, store.LoadInt64("ids").Values);
        CollectionAssert.AreEqual(new long[] { 7, -9 }, store.LoadInt64("i32").Values);
        CollectionAssert.AreEqual(new long[] { 1, 0, 1 }, store.LoadInt64("mask").Values);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => store.LoadFloat32("ids"));
        StringAssert.Contains(error.Message, "'ids'");
        Assert.ThrowsExactly<KeyNotFoundException>(() => store.LoadFloat32("nope"));
    }

    [TestMethod]
    public void UnalignedFloat32IsCopiedCorrectly()
    {
        // A 1-byte tensor first puts the F32 data at an odd address in the mapping.
        byte[] file = SafeTensors(new[]
        {
            new RawTensor("flag", "U8", new[] { 1 }, new byte[] { 9 }),
            new RawTensor("w", "F32", new[] { 2, 2 }, F32(1, 2, 3, 4)),
        });
        foreach (SafeTensorsFile store in OpenBothWays(file))
        {
            using (store)
            {
                var w = store.LoadFloat32("w");
                CollectionAssert.AreEqual(new[] { 1f, 2f, 3f, 4f }, w.ToArray());
                Assert.IsTrue(MemoryMarshal.TryGetArray<float>(w.Memory, out _), "unaligned data is copied into an array");
            }
        }
    }

    [TestMethod]
    public void HeaderLengthBeyondTheFileIsRejected()
    {
        byte[] file = SafeTensors(new[] { new RawTensor("w", "F32", new[] { 2 }, F32(1, 2)) });
        BinaryPrimitives.WriteUInt64LittleEndian(file, 1UL << 40);
        AssertRejected(file, "header length", "1099511627776");
        AssertRejected(new byte[] { 1, 2, 3 }, "fewer than the 8-byte header length");
    }

    [TestMethod]
    public void TruncatedDataNamesTheTensor()
    {
        byte[] file = SafeTensors(new[]
        {
            new RawTensor("first", "F32", new[] { 2 }, F32(1, 2)),
            new RawTensor("second.weight", "F32", new[] { 3 }, F32(3, 4, 5)),
        });
        AssertRejected(file[..^4], "second.weight", "truncated");
    }

    [TestMethod]
    public void CorruptHeadersAreRejectedWithTheTensorName()
    {
        byte[] eight = F32(1, 2);
        AssertRejected(SafeTensorsRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", eight), "not valid JSON");
        AssertRejected(SafeTensorsRaw("[1,2]", eight), "JSON object");
        AssertRejected(SafeTensorsRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight), "'a'", "needs 12 bytes");
        AssertRejected(SafeTensorsRaw("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "'a'", "'Q7'");
        AssertRejected(SafeTensorsRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", eight), "'a'", "shape");
        AssertRejected(SafeTensorsRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", eight), "'a'", "data_offsets");
        AssertRejected(SafeTensorsRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", F32(1, 2, 3)), "overlaps");
        AssertRejected(SafeTensorsRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight), "gap of 4 bytes", "'a'");
        AssertRejected(SafeTensorsRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", eight), "trailing");
        AssertRejected(SafeTensorsRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"z\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", eight), "'z'", "only 8 data bytes");
    }

    private static void AssertRejected(byte[] file, params string[] fragments)
    {
        string folder = NewFolder();
        try
        {
            string path = Path.Combine(folder, "broken.safetensors");
            File.WriteAllBytes(path, file);
            var mapped = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensorsFile.Open(path));
            var inMemory = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensorsFile.FromBytes(file, "broken.safetensors"));
            foreach (string fragment in fragments.Append("broken.safetensors"))
            {
                StringAssert.Contains(mapped.Message, fragment, mapped.Message);
                StringAssert.Contains(inMemory.Message, fragment, inMemory.Message);
            }
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    private static IEnumerable<SafeTensorsFile> OpenBothWays(byte[] file)
    {
        yield return SafeTensorsFile.FromBytes(file, "memory.safetensors");
        string folder = NewFolder();
        try
        {
            string path = Path.Combine(folder, "model.safetensors");
            File.WriteAllBytes(path, file);
            yield return SafeTensorsFile.Open(path);
        }
        finally
        {
            DeleteFolder(folder);
        }
    }
}
