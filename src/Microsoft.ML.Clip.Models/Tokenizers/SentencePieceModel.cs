using System.Text;

namespace Microsoft.ML.Clip.Tokenizers;

/// <summary>The kind of a SentencePiece piece (<c>ModelProto.SentencePiece.Type</c>).</summary>
internal enum SentencePieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>One piece of a SentencePiece model.</summary>
internal readonly record struct SentencePiece(string Piece, float Score, SentencePieceType Type);

/// <summary>
/// The fields of a SentencePiece <c>ModelProto</c> (<c>sentencepiece.bpe.model</c>) a tokenizer needs, read by a
/// small protobuf wire-format reader: the pieces, <c>trainer_spec</c> (model type, byte fallback, special ids) and
/// <c>normalizer_spec</c> (precompiled charsmap and white-space flags). Every length is bounds-checked.
/// </summary>
internal sealed class SentencePieceModel
{
    private SentencePieceModel(string source)
    {
        Source = source;
    }

    /// <summary>The file the model came from.</summary>
    public string Source { get; }

    /// <summary>The pieces, in id order.</summary>
    public List<SentencePiece> Pieces { get; } = new();

    /// <summary><c>trainer_spec.model_type</c>: 1 Unigram (the default), 2 BPE, 3 word, 4 char.</summary>
    public int ModelType { get; private set; } = 1;

    /// <summary><c>trainer_spec.byte_fallback</c>.</summary>
    public bool ByteFallback { get; private set; }

    /// <summary><c>trainer_spec.unk_id</c> (default 0).</summary>
    public int UnknownId { get; private set; }

    /// <summary><c>normalizer_spec.name</c>.</summary>
    public string NormalizerName { get; private set; } = string.Empty;

    /// <summary><c>normalizer_spec.precompiled_charsmap</c> (empty when absent).</summary>
    public byte[] PrecompiledCharsMap { get; private set; } = Array.Empty<byte>();

    /// <summary><c>normalizer_spec.add_dummy_prefix</c> (default true).</summary>
    public bool AddDummyPrefix { get; private set; } = true;

    /// <summary><c>normalizer_spec.remove_extra_whitespaces</c> (default true).</summary>
    public bool RemoveExtraWhitespaces { get; private set; } = true;

    /// <summary><c>normalizer_spec.escape_whitespaces</c> (default true).</summary>
    public bool EscapeWhitespaces { get; private set; } = true;

    /// <summary>Reads a model file.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is not a SentencePiece model (the message names it).</exception>
    public static SentencePieceModel Load(string path)
    {
        byte[] bytes;
        using (var stream = TokenizerFiles.OpenRead(path, "SentencePiece model (sentencepiece.bpe.model)"))
        using (var memory = new MemoryStream())
        {
            stream.CopyTo(memory);
            bytes = memory.ToArray();
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses the bytes of a model; <paramref name="source"/> names it in errors.</summary>
    public static SentencePieceModel Parse(byte[] bytes, string source)
    {
        var model = new SentencePieceModel(source);
        try
        {
            var reader = new ProtoReader(bytes, 0, bytes.Length, source);
            while (reader.Next(out int field, out int wireType))
            {
                switch (field, wireType)
                {
                    case (1, 2):
                        model.Pieces.Add(ReadPiece(reader.ReadMessage(), model.Pieces.Count, source));
                        break;
                    case (2, 2):
                        model.ReadTrainerSpec(reader.ReadMessage());
                        break;
                    case (3, 2):
                        model.ReadNormalizerSpec(reader.ReadMessage());
                        break;
                    default:
                        reader.Skip(wireType);
                        break;
                }
            }
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{source}: a string is not valid UTF-8; is this a SentencePiece model?", e);
        }

        if (model.Pieces.Count == 0)
        {
            throw new InvalidDataException($"{source}: no pieces found; is this a SentencePiece model (sentencepiece.bpe.model)?");
        }

        return model;
    }

    private static SentencePiece ReadPiece(ProtoReader reader, int index, string source)
    {
        string? piece = null;
        float score = 0;
        var type = SentencePieceType.Normal;
        while (reader.Next(out int field, out int wireType))
        {
            switch (field, wireType)
            {
                case (1, 2):
                    piece = reader.ReadString();
                    break;
                case (2, 5):
                    score = reader.ReadFloat();
                    break;
                case (3, 0):
                    type = (SentencePieceType)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return new SentencePiece(piece ?? throw new InvalidDataException($"{source}: piece {index} has no text."), score, type);
    }

    private void ReadTrainerSpec(ProtoReader reader)
    {
        while (reader.Next(out int field, out int wireType))
        {
            switch (field, wireType)
            {
                case (3, 0):
                    ModelType = (int)reader.ReadVarint();
                    break;
                case (35, 0):
                    ByteFallback = reader.ReadVarint() != 0;
                    break;
                case (40, 0):
                    UnknownId = (int)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    private void ReadNormalizerSpec(ProtoReader reader)
    {
        while (reader.Next(out int field, out int wireType))
        {
            switch (field, wireType)
            {
                case (1, 2):
                    NormalizerName = reader.ReadString();
                    break;
                case (2, 2):
                    PrecompiledCharsMap = reader.ReadBytes();
                    break;
                case (3, 0):
                    AddDummyPrefix = reader.ReadVarint() != 0;
                    break;
                case (4, 0):
                    RemoveExtraWhitespaces = reader.ReadVarint() != 0;
                    break;
                case (5, 0):
                    EscapeWhitespaces = reader.ReadVarint() != 0;
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    /// <summary>A protobuf wire-format reader over a byte range.</summary>
    private sealed class ProtoReader
    {
        private static readonly UTF8Encoding StrictUtf8 = new(false, true);
        private readonly byte[] _bytes;
        private readonly int _end;
        private readonly string _source;
        private int _position;

        public ProtoReader(byte[] bytes, int start, int end, string source)
        {
            _bytes = bytes;
            _position = start;
            _end = end;
            _source = source;
        }

        public bool Next(out int field, out int wireType)
        {
            if (_position >= _end)
            {
                field = 0;
                wireType = 0;
                return false;
            }

            ulong tag = ReadVarint();
            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            if (field == 0)
            {
                throw Malformed("a field number of 0");
            }

            return true;
        }

        public ulong ReadVarint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_position >= _end)
                {
                    throw Malformed("a truncated varint");
                }

                byte b = _bytes[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw Malformed("a varint longer than 10 bytes");
        }

        public float ReadFloat()
        {
            Need(4);
            float value = BitConverter.Int32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(_bytes.AsSpan(_position)));
            _position += 4;
            return value;
        }

        public ProtoReader ReadMessage()
        {
            int length = ReadLength();
            var inner = new ProtoReader(_bytes, _position, _position + length, _source);
            _position += length;
            return inner;
        }

        public string ReadString()
        {
            int length = ReadLength();
            string value = StrictUtf8.GetString(_bytes, _position, length);
            _position += length;
            return value;
        }

        public byte[] ReadBytes()
        {
            int length = ReadLength();
            byte[] value = _bytes.AsSpan(_position, length).ToArray();
            _position += length;
            return value;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0:
                    ReadVarint();
                    break;
                case 1:
                    Need(8);
                    _position += 8;
                    break;
                case 2:
                    int length = ReadLength(); // read first: it moves _position
                    _position += length;
                    break;
                case 5:
                    Need(4);
                    _position += 4;
                    break;
                default:
                    throw Malformed($"wire type {wireType}");
            }
        }

        private int ReadLength()
        {
            ulong length = ReadVarint();
            if (length > (ulong)(_end - _position))
            {
                throw Malformed($"a length of {length} bytes where only {_end - _position} remain");
            }

            return (int)length;
        }

        private void Need(int count)
        {
            if (_end - _position < count)
            {
                throw Malformed("a truncated field");
            }
        }

        private InvalidDataException Malformed(string what) =>
            new($"{_source}: not a valid SentencePiece model (protobuf ModelProto): found {what} at byte {_position}.");
    }
}
