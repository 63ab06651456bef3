using System.Text;

namespace Microsoft.ML.Clip.Tests.Checkpoints;

/// <summary>Writes pickle opcodes byte by byte, for hand-made (and malicious) test pickles.</summary>
internal sealed class PickleBuilder
{
    private readonly MemoryStream _bytes = new();

    public PickleBuilder Proto(byte version = 2) => Op(0x80).Byte(version);

    public PickleBuilder Global(string module, string name) => Op((byte)'c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleBuilder Unicode(string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        return Op((byte)'X').Raw(BitConverter.GetBytes((uint)utf8.Length)).Raw(utf8);
    }

    public PickleBuilder Int(int value) => Op((byte)'J').Raw(BitConverter.GetBytes(value));

    public PickleBuilder Mark() => Op((byte)'(');

    public PickleBuilder Tuple() => Op((byte)'t');

    public PickleBuilder Tuple1() => Op(0x85);

    public PickleBuilder EmptyTuple() => Op((byte)')');

    public PickleBuilder EmptyDict() => Op((byte)'}');

    public PickleBuilder Reduce() => Op((byte)'R');

    public PickleBuilder BinPersId() => Op((byte)'Q');

    public PickleBuilder False() => Op(0x89);

    public PickleBuilder SetItems() => Op((byte)'u');

    public PickleBuilder Stop() => Op((byte)'.');

    /// <summary>Ints as a tuple: MARK int… TUPLE.</summary>
    public PickleBuilder IntTuple(params int[] values)
    {
        Mark();
        foreach (int v in values)
        {
            Int(v);
        }

        return Tuple();
    }

    /// <summary>A torch tensor: _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict()).</summary>
    public PickleBuilder Tensor(string storageType, string key, int numel, int offset, int[] size, int[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2");
        Mark();
        Mark().Unicode("storage").Global("torch", storageType).Unicode(key).Unicode("cpu").Int(numel).Tuple().BinPersId();
        Int(offset).IntTuple(size).IntTuple(stride).False();
        Global("collections", "OrderedDict").EmptyTuple().Reduce();
        return Tuple().Reduce();
    }

    public byte[] ToArray() => _bytes.ToArray();

    public PickleBuilder Op(byte opcode) => Byte(opcode);

    private PickleBuilder Byte(byte value)
    {
        _bytes.WriteByte(value);
        return this;
    }

    private PickleBuilder Raw(byte[] data)
    {
        _bytes.Write(data);
        return this;
    }
}
