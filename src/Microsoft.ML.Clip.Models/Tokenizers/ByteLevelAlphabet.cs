namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>
/// GPT-2's <c>bytes_to_unicode</c>: each byte is shown as a printable character (<c>!</c>..<c>~</c>,
/// <c>¡</c>..<c>¬</c>, <c>®</c>..<c>ÿ</c> stand for themselves; the other 68 bytes map to U+0100 onwards), so
/// byte-level BPE vocabularies are plain strings.
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>The character standing for each byte.</summary>
    public static readonly char[] ByteToChar = BuildByteToChar();

    /// <summary>The byte each character stands for, or -1 (indexed by char, 0..0x143).</summary>
    public static readonly short[] CharToByte = BuildCharToByte();

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var assigned = new bool[256];
        foreach (var (low, high) in new[] { ('!', '~'), ('¡', '¬'), ('®', 'ÿ') })
        {
            for (int b = low; b <= high; b++)
            {
                map[b] = (char)b;
                assigned[b] = true;
            }
        }

        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            if (!assigned[b])
            {
                map[b] = (char)(256 + next++);
            }
        }

        return map;
    }

    private static short[] BuildCharToByte()
    {
        var map = new short[256 + 68];
        Array.Fill(map, (short)-1);
        for (int b = 0; b < 256; b++)
        {
            map[ByteToChar[b]] = (short)b;
        }

        return map;
    }

    /// <summary>The byte a character stands for, or -1 when it is not a byte-level character.</summary>
    public static int ToByte(char c) => c < CharToByte.Length ? CharToByte[c] : -1;
}
