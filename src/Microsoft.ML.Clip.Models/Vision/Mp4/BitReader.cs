namespace Microsoft.ML.Clip.Vision.Mp4;

/// <summary>
/// Reads bits most-significant first from an H.264 RBSP (emulation-prevention bytes already removed), with the
/// unsigned and signed exp-Golomb codes of H.264 §9.1. Reading past the end throws <see cref="EndOfStreamException"/>.
/// </summary>
internal ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private long _bit;

    public BitReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _bit = 0;
    }

    /// <summary>One bit.</summary>
    public bool Flag() => Bits(1) != 0;

    /// <summary><paramref name="count"/> bits (at most 32) as an unsigned number.</summary>
    public uint Bits(int count)
    {
        uint value = 0;
        for (int i = 0; i < count; i++)
        {
            long index = _bit >> 3;
            if (index >= _data.Length)
            {
                throw new EndOfStreamException("The H.264 parameter set ends early.");
            }

            value = (value << 1) | (uint)((_data[(int)index] >> (7 - (int)(_bit & 7))) & 1);
            _bit++;
        }

        return value;
    }

    /// <summary>ue(v): leading zeros z, then z more bits; 2^z − 1 + those bits. Codes over 31 leading zeros are invalid.</summary>
    public uint UnsignedGolomb()
    {
        int zeros = 0;
        while (!Flag())
        {
            if (++zeros > 31)
            {
                throw new InvalidDataException("An exp-Golomb code in the H.264 parameter set is longer than 32 bits.");
            }
        }

        return zeros == 0 ? 0 : (uint)(((1UL << zeros) - 1) + Bits(zeros));
    }

    /// <summary>se(v): ue(v) k mapped to 0, 1, −1, 2, −2, …</summary>
    public long SignedGolomb()
    {
        uint k = UnsignedGolomb();
        return (k & 1) != 0 ? (k + 1L) / 2 : -(long)(k / 2);
    }
}
