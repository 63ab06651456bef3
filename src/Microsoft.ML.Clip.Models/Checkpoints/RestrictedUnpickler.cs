using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML.Clip.Checkpoints;

/// <summary>
/// Reads the pickle that <c>torch.save</c> writes (<c>data.pkl</c>) without executing anything: it interprets the
/// opcodes itself, accepts only the globals a state dict needs (see <see cref="TorchPickleGlobals"/>) and builds plain
/// objects (<see cref="PickleDict"/>, <see cref="PickleTuple"/>, <see cref="TorchTensorRef"/>, …). Any other global,
/// such as <c>os.system</c> or <c>builtins.eval</c>, is an error naming it.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private readonly byte[] _data;
    private readonly string _source;
    private readonly Func<PickleTuple, object> _persistentLoad;
    private readonly List<object?> _stack = new();
    private readonly List<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = new();
    private int _position;

    /// <param name="data">The pickle bytes.</param>
    /// <param name="source">A name for messages (the zip entry).</param>
    /// <param name="persistentLoad">Turns a persistent id (BINPERSID) into an object.</param>
    public RestrictedUnpickler(byte[] data, string source, Func<PickleTuple, object> persistentLoad)
    {
        _data = data;
        _source = source;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Interprets the pickle up to STOP and returns its value.</summary>
    /// <exception cref="InvalidDataException">The pickle is malformed, uses an unsupported opcode or a forbidden global.</exception>
    public object? Load()
    {
        while (true)
        {
            int opcodePosition = _position;
            byte opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    byte protocol = ReadByte();
                    if (protocol > 5)
                    {
                        throw Error(opcodePosition, $"pickle protocol {protocol} is not supported (0–5)");
                    }

                    break;
                case 0x95: // FRAME: an 8-byte length prefix we do not need.
                    Take(8);
                    break;
                case (byte)'.': // STOP
                    return Pop(opcodePosition);
                case (byte)'(': // MARK
                    _marks.Add(_stack.Count);
                    break;
                case (byte)'N': // NONE
                    _stack.Add(null);
                    break;
                case 0x88: // NEWTRUE
                    _stack.Add(true);
                    break;
                case 0x89: // NEWFALSE
                    _stack.Add(false);
                    break;
                case (byte)'K': // BININT1
                    _stack.Add((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                    break;
                case (byte)'J': // BININT
                    _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case 0x8a: // LONG1
                    _stack.Add(ReadLong(ReadByte(), opcodePosition));
                    break;
                case 0x8b: // LONG4
                    _stack.Add(ReadLong(ReadLength(4, opcodePosition), opcodePosition));
                    break;
                case (byte)'G': // BINFLOAT (big-endian double)
                    _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                    break;
                case (byte)'X': // BINUNICODE
                    _stack.Add(ReadUtf8(ReadLength(4, opcodePosition), opcodePosition));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    _stack.Add(ReadUtf8(ReadByte(), opcodePosition));
                    break;
                case 0x8d: // BINUNICODE8
                    _stack.Add(ReadUtf8(ReadLength(8, opcodePosition), opcodePosition));
                    break;
                case (byte)'C': // SHORT_BINBYTES
                    _stack.Add(Take(ReadByte()).ToArray());
                    break;
                case (byte)'B': // BINBYTES
                    _stack.Add(Take(ReadLength(4, opcodePosition)).ToArray());
                    break;
                case (byte)')': // EMPTY_TUPLE
                    _stack.Add(new PickleTuple(Array.Empty<object?>()));
                    break;
                case (byte)'t': // TUPLE
                    _stack.Add(new PickleTuple(PopToMark(opcodePosition)));
                    break;
                case 0x85: // TUPLE1
                    _stack.Add(new PickleTuple(PopN(1, opcodePosition)));
                    break;
                case 0x86: // TUPLE2
                    _stack.Add(new PickleTuple(PopN(2, opcodePosition)));
                    break;
                case 0x87: // TUPLE3
                    _stack.Add(new PickleTuple(PopN(3, opcodePosition)));
                    break;
                case (byte)']': // EMPTY_LIST
                    _stack.Add(new List<object?>());
                    break;
                case (byte)'l': // LIST
                    _stack.Add(new List<object?>(PopToMark(opcodePosition)));
                    break;
                case (byte)'a': // APPEND
                {
                    object? item = Pop(opcodePosition);
                    PeekAs<List<object?>>(opcodePosition, "APPEND").Add(item);
                    break;
                }

                case (byte)'e': // APPENDS
                {
                    object?[] items = PopToMark(opcodePosition);
                    PeekAs<List<object?>>(opcodePosition, "APPENDS").AddRange(items);
                    break;
                }

                case (byte)'}': // EMPTY_DICT
                    _stack.Add(new PickleDict());
                    break;
                case (byte)'d': // DICT
                {
                    object?[] items = PopToMark(opcodePosition);
                    var dict = new PickleDict();
                    SetItems(dict, items, opcodePosition);
                    _stack.Add(dict);
                    break;
                }

                case (byte)'s': // SETITEM
                {
                    object?[] pair = PopN(2, opcodePosition);
                    PeekAs<PickleDict>(opcodePosition, "SETITEM").Set(pair[0], pair[1]);
                    break;
                }

                case (byte)'u': // SETITEMS
                {
                    object?[] items = PopToMark(opcodePosition);
                    SetItems(PeekAs<PickleDict>(opcodePosition, "SETITEMS"), items, opcodePosition);
                    break;
                }

                case (byte)'q': // BINPUT
                    _memo[ReadByte()] = Peek(opcodePosition);
                    break;
                case (byte)'r': // LONG_BINPUT
                    _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek(opcodePosition);
                    break;
                case 0x94: // MEMOIZE
                    _memo[_memo.Count] = Peek(opcodePosition);
                    break;
                case (byte)'h': // BINGET
                    _stack.Add(MemoGet(ReadByte(), opcodePosition));
                    break;
                case (byte)'j': // LONG_BINGET
                    _stack.Add(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), opcodePosition));
                    break;
                case (byte)'0': // POP
                    Pop(opcodePosition);
                    break;
                case (byte)'1': // POP_MARK
                    PopToMark(opcodePosition);
                    break;
                case (byte)'2': // DUP
                    _stack.Add(Peek(opcodePosition));
                    break;
                case (byte)'c': // GLOBAL "module\nname\n"
                {
                    string module = ReadLine(opcodePosition);
                    string name = ReadLine(opcodePosition);
                    _stack.Add(ResolveGlobal(module, name, opcodePosition));
                    break;
                }

                case 0x93: // STACK_GLOBAL
                {
                    object?[] parts = PopN(2, opcodePosition);
                    if (parts[0] is not string module || parts[1] is not string name)
                    {
                        throw Error(opcodePosition, "STACK_GLOBAL expects two strings on the stack");
                    }

                    _stack.Add(ResolveGlobal(module, name, opcodePosition));
                    break;
                }

                case (byte)'Q': // BINPERSID
                {
                    object? id = Pop(opcodePosition);
                    if (id is not PickleTuple tuple)
                    {
                        throw Error(opcodePosition, $"a persistent id must be a tuple, found {Describe(id)}");
                    }

                    _stack.Add(_persistentLoad(tuple));
                    break;
                }

                case (byte)'R': // REDUCE: callable(*args), interpreted for the allowed callables only.
                {
                    object?[] pair = PopN(2, opcodePosition);
                    if (pair[0] is not PickleGlobal callable)
                    {
                        throw Error(opcodePosition, $"REDUCE applies {Describe(pair[0])}, which is not an allowed global");
                    }

                    if (pair[1] is not PickleTuple args)
                    {
                        throw Error(opcodePosition, $"REDUCE of {callable.FullName} expects an argument tuple, found {Describe(pair[1])}");
                    }

                    _stack.Add(TorchPickleGlobals.Call(callable, args.Items, $"'{_source}' at byte {opcodePosition}"));
                    break;
                }

                case (byte)'b': // BUILD: sets object state (e.g. an OrderedDict's _metadata); we keep only the object.
                {
                    object? state = Pop(opcodePosition);
                    object? target = Peek(opcodePosition);
                    if (target is PickleGlobal or null)
                    {
                        throw Error(opcodePosition, $"BUILD on {Describe(target)} is not allowed (state {Describe(state)})");
                    }

                    break;
                }

                default:
                    throw Error(opcodePosition, $"opcode 0x{opcode:x2} ('{(opcode is >= 0x20 and < 0x7f ? (char)opcode : '?')}') is not supported by the restricted unpickler; a state dict saved by torch.save never needs it");
            }
        }
    }

    private object ResolveGlobal(string module, string name, int position)
    {
        if (!TorchPickleGlobals.IsAllowed(module, name))
        {
            throw Error(position,
                $"the pickle references the global '{module}.{name}', which is not allowed: only tensor-rebuilding globals of a PyTorch state dict are accepted ({TorchPickleGlobals.Describe()}). The file may be malicious; it was not executed");
        }

        return new PickleGlobal(module, name);
    }

    private void SetItems(PickleDict dict, object?[] items, int position)
    {
        if (items.Length % 2 != 0)
        {
            throw Error(position, $"SETITEMS has an odd number ({items.Length}) of keys and values");
        }

        for (int i = 0; i < items.Length; i += 2)
        {
            dict.Set(items[i], items[i + 1]);
        }
    }

    private object? MemoGet(long index, int position) =>
        _memo.TryGetValue(index, out object? value) ? value : throw Error(position, $"memo entry {index} is read before it is written");

    private T PeekAs<T>(int position, string opcode)
        where T : class =>
        Peek(position) as T ?? throw Error(position, $"{opcode} expects a {typeof(T).Name} on the stack, found {Describe(Peek(position))}");

    private object? Peek(int position)
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks[^1] == _stack.Count))
        {
            throw Error(position, "the stack is empty");
        }

        return _stack[^1];
    }

    private object? Pop(int position)
    {
        object? value = Peek(position);
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object?[] PopN(int count, int position)
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count - floor < count)
        {
            throw Error(position, $"expected {count} item(s) on the stack, found {_stack.Count - floor}");
        }

        object?[] items = _stack.GetRange(_stack.Count - count, count).ToArray();
        _stack.RemoveRange(_stack.Count - count, count);
        return items;
    }

    private object?[] PopToMark(int position)
    {
        if (_marks.Count == 0)
        {
            throw Error(position, "an opcode needs a MARK but none is open");
        }

        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        object?[] items = _stack.GetRange(mark, _stack.Count - mark).ToArray();
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private byte ReadByte() => Take(1)[0];

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _data.Length - _position)
        {
            throw Error(_position, $"needs {count} more byte(s) but only {_data.Length - _position} remain; the pickle is truncated");
        }

        var span = new ReadOnlySpan<byte>(_data, _position, count);
        _position += count;
        return span;
    }

    private int ReadLength(int width, int position)
    {
        ulong length = width switch
        {
            4 => BinaryPrimitives.ReadUInt32LittleEndian(Take(4)),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(Take(8)),
        };
        if (length > (ulong)(_data.Length - _position))
        {
            throw Error(position, $"a length of {length} bytes runs past the end of the pickle ({_data.Length - _position} bytes remain)");
        }

        return (int)length;
    }

    private string ReadUtf8(int length, int position)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(Take(length));
        }
        catch (DecoderFallbackException e)
        {
            throw Error(position, $"a string is not valid UTF-8 ({e.Message})");
        }
    }

    private string ReadLine(int position)
    {
        int end = Array.IndexOf(_data, (byte)'\n', _position);
        if (end < 0 || end - _position > 256)
        {
            throw Error(position, "a GLOBAL name is not terminated by a newline within 256 bytes");
        }

        string text = Encoding.ASCII.GetString(_data, _position, end - _position);
        _position = end + 1;
        return text;
    }

    private long ReadLong(int length, int position)
    {
        // Little-endian two's complement of `length` bytes; state dicts only hold small ints (shapes, offsets).
        if (length > 8)
        {
            throw Error(position, $"an integer of {length} bytes is too large (at most 8)");
        }

        ReadOnlySpan<byte> bytes = Take(length);
        if (length == 0)
        {
            return 0;
        }

        long value = 0;
        for (int i = length - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[i];
        }

        int unusedBits = 64 - (8 * length);
        return unusedBits == 0 ? value : (value << unusedBits) >> unusedBits;
    }

    private InvalidDataException Error(int position, string message) =>
        new($"'{_source}' (pickle byte {position}): {message}.");

    /// <summary>A short description of a pickle value for messages.</summary>
    internal static string Describe(object? value) => value switch
    {
        null => "None",
        PickleGlobal g => $"global {g.FullName}",
        PickleTuple t => $"a tuple of {t.Items.Length}",
        PickleDict => "a dict",
        string s => $"the string '{(s.Length > 40 ? s[..40] + "…" : s)}'",
        _ => value.GetType().Name,
    };
}
