using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML.Clip.Vision.Mp4;

/// <summary>
/// Reads the <c>moov</c> payload: the movie timescale and matrix (<c>mvhd</c>) and the first track whose handler is
/// <c>vide</c> (ffprobe's <c>v:0</c>). Returns null for anything outside the common case — fragmented movies
/// (<c>mvex</c>), metadata before the video track (cover art would become a video stream), several sample
/// descriptions, malformed or truncated boxes.
/// </summary>
internal static class Mp4MovieParser
{
    /// <summary>The movie's first video track with the movie timescale and matrix, or null.</summary>
    public static (uint MovieTimescale, int[] MovieMatrix, Mp4VideoTrack Track)? TryParse(ReadOnlySpan<byte> moov)
    {
        List<Mp4Box>? boxes = Mp4Box.Children(moov, 0, moov.Length);
        if (boxes is null || Mp4Box.Find(boxes, "mvex") is not null || Mp4Box.Find(boxes, "mvhd") is not Mp4Box mvhd)
        {
            return null;
        }

        // mvhd: version, flags, creation and modification times, timescale, duration (64-bit times in version 1),
        // then rate, volume, 10 reserved bytes, matrix.
        ReadOnlySpan<byte> header = mvhd.Payload(moov);
        bool wide = header.Length > 0 && header[0] == 1;
        int fields = wide ? 32 : 20;
        if (header.Length < fields + 16 + 36)
        {
            return null;
        }

        uint movieTimescale = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(wide ? 20 : 12, 4));
        int[] movieMatrix = Matrix(header.Slice(fields + 16, 36));
        foreach (Mp4Box box in boxes)
        {
            if (box.Type == Mp4Box.Tag("udta") || box.Type == Mp4Box.Tag("meta"))
            {
                return null;   // may hold cover art, which ffmpeg makes a video stream ahead of the tracks that follow
            }

            if (box.Type != Mp4Box.Tag("trak"))
            {
                continue;
            }

            List<Mp4Box>? trak = Mp4Box.Children(moov, box.PayloadStart, box.PayloadLength);
            List<Mp4Box>? mdia = trak is null || Mp4Box.Find(trak, "mdia") is not Mp4Box m ? null : Mp4Box.Children(moov, m.PayloadStart, m.PayloadLength);
            if (trak is null || mdia is null || Mp4Box.Find(mdia, "hdlr") is not Mp4Box hdlr || hdlr.PayloadLength < 12)
            {
                return null;
            }

            if (BinaryPrimitives.ReadUInt32BigEndian(hdlr.Payload(moov).Slice(8, 4)) != Mp4Box.Tag("vide"))
            {
                continue;
            }

            return ParseTrack(moov, trak, mdia) is Mp4VideoTrack track ? (movieTimescale, movieMatrix, track) : null;
        }

        return null;
    }

    private static Mp4VideoTrack? ParseTrack(ReadOnlySpan<byte> moov, List<Mp4Box> trak, List<Mp4Box> mdia)
    {
        // tkhd: version, flags, times, track id, reserved, duration, reserved[2], layer, group, volume, reserved, matrix.
        if (Mp4Box.Find(trak, "tkhd") is not Mp4Box tkhd)
        {
            return null;
        }

        ReadOnlySpan<byte> tkhdPayload = tkhd.Payload(moov);
        int matrixAt = tkhdPayload.Length > 0 && tkhdPayload[0] == 1 ? 4 + 32 + 16 : 4 + 20 + 16;
        if (tkhdPayload.Length < matrixAt + 36)
        {
            return null;
        }

        int[] matrix = Matrix(tkhdPayload.Slice(matrixAt, 36));
        List<(ulong, long)>? edits = [];
        if (Mp4Box.Find(trak, "edts") is Mp4Box edts)
        {
            List<Mp4Box>? edtsChildren = Mp4Box.Children(moov, edts.PayloadStart, edts.PayloadLength);
            edits = edtsChildren is not null && Mp4Box.Find(edtsChildren, "elst") is Mp4Box elst ? EditList(elst.Payload(moov)) : null;
            if (edits is null)
            {
                return null;
            }
        }

        if (Mp4Box.Find(mdia, "mdhd") is not Mp4Box mdhd || Mp4Box.Find(mdia, "minf") is not Mp4Box minf)
        {
            return null;
        }

        ReadOnlySpan<byte> mdhdPayload = mdhd.Payload(moov);
        bool mdhdLong = mdhdPayload.Length > 0 && mdhdPayload[0] == 1;
        if (mdhdPayload.Length < (mdhdLong ? 32 : 20))
        {
            return null;
        }

        uint timescale = BinaryPrimitives.ReadUInt32BigEndian(mdhdPayload.Slice(mdhdLong ? 20 : 12, 4));
        ulong mediaDuration = mdhdLong
            ? BinaryPrimitives.ReadUInt64BigEndian(mdhdPayload.Slice(24, 8))
            : BinaryPrimitives.ReadUInt32BigEndian(mdhdPayload.Slice(16, 4));

        List<Mp4Box>? minfChildren = Mp4Box.Children(moov, minf.PayloadStart, minf.PayloadLength);
        List<Mp4Box>? stbl = minfChildren is not null && Mp4Box.Find(minfChildren, "stbl") is Mp4Box s
            ? Mp4Box.Children(moov, s.PayloadStart, s.PayloadLength)
            : null;
        if (stbl is null || Mp4Box.Find(stbl, "stsd") is not Mp4Box stsd || Mp4Box.Find(stbl, "stts") is not Mp4Box stts)
        {
            return null;
        }

        (string entry, byte[]? sps, bool colour)? description = SampleDescription(moov, stsd);
        (long count, long sum)? times = TimeToSample(stts.Payload(moov));
        long sizes = SizeTableCount(moov, stbl);
        if (description is not { } d || times is not { } t || sizes < 0)
        {
            return null;
        }

        return new Mp4VideoTrack(d.entry, d.sps, d.colour, timescale, mediaDuration, t.count, t.sum, sizes, edits, matrix);
    }

    /// <summary>stsd with exactly one entry: its type, the first SPS of its avcC (when there is exactly one) and whether it has colr.</summary>
    private static (string Entry, byte[]? Sps, bool Colour)? SampleDescription(ReadOnlySpan<byte> moov, Mp4Box stsd)
    {
        ReadOnlySpan<byte> payload = stsd.Payload(moov);
        if (payload.Length < 8 || BinaryPrimitives.ReadUInt32BigEndian(payload.Slice(4, 4)) != 1)
        {
            return null;
        }

        List<Mp4Box>? entries = Mp4Box.Children(moov, stsd.PayloadStart + 8, stsd.PayloadLength - 8);
        if (entries is not [Mp4Box entry])
        {
            return null;
        }

        Span<byte> fourCc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(fourCc, entry.Type);
        string type = Encoding.Latin1.GetString(fourCc);

        // VisualSampleEntry: 6 reserved, data_reference_index, 16 pre-defined/reserved, width, height, resolutions,
        // reserved, frame_count, compressorname[32], depth, pre_defined = 78 bytes, then its boxes.
        const int VisualFields = 78;
        if (entry.PayloadLength < VisualFields)
        {
            return null;
        }

        List<Mp4Box>? children = Mp4Box.Children(moov, entry.PayloadStart + VisualFields, entry.PayloadLength - VisualFields);
        if (children is null)
        {
            return null;
        }

        bool colour = Mp4Box.Find(children, "colr") is not null;
        if (Mp4Box.Find(children, "avcC") is not Mp4Box avcC)
        {
            return (type, null, colour);
        }

        // AVCDecoderConfigurationRecord: version, profile, compatibility, level, lengthSizeMinusOne, numOfSPS, (length, SPS)…
        ReadOnlySpan<byte> record = avcC.Payload(moov);
        if (record.Length < 8 || record[0] != 1 || (record[5] & 0x1F) != 1)
        {
            return (type, null, colour);
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(record.Slice(6, 2));
        return record.Length - 8 < length ? (type, null, colour) : (type, record.Slice(8, length).ToArray(), colour);
    }

    /// <summary>stts: total samples and total duration (media units); null when malformed or out of range.</summary>
    private static (long Count, long Sum)? TimeToSample(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 8)
        {
            return null;
        }

        uint entries = BinaryPrimitives.ReadUInt32BigEndian(payload.Slice(4, 4));
        if (entries > (payload.Length - 8) / 8)
        {
            return null;
        }

        long count = 0;
        long sum = 0;
        for (int i = 0; i < entries; i++)
        {
            uint samples = BinaryPrimitives.ReadUInt32BigEndian(payload.Slice(8 + (8 * i), 4));
            uint delta = BinaryPrimitives.ReadUInt32BigEndian(payload.Slice(12 + (8 * i), 4));
            if (samples > int.MaxValue || delta > int.MaxValue)
            {
                return null;   // ffmpeg reads these as signed: not the common case
            }

            count += samples;
            sum += (long)samples * delta;
            if (count > int.MaxValue)
            {
                return null;
            }
        }

        return (count, sum);
    }

    /// <summary>The sample count of stsz or stz2, or −1.</summary>
    private static long SizeTableCount(ReadOnlySpan<byte> moov, List<Mp4Box> stbl)
    {
        Mp4Box? table = Mp4Box.Find(stbl, "stsz") ?? Mp4Box.Find(stbl, "stz2");
        if (table is not Mp4Box box || box.PayloadLength < 12)
        {
            return -1;
        }

        return BinaryPrimitives.ReadUInt32BigEndian(box.Payload(moov).Slice(8, 4));
    }

    /// <summary>elst entries with media rate 1; null when malformed or another rate.</summary>
    private static List<(ulong, long)>? EditList(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 8)
        {
            return null;
        }

        bool wide = payload[0] == 1;
        int entrySize = wide ? 20 : 12;
        uint entries = BinaryPrimitives.ReadUInt32BigEndian(payload.Slice(4, 4));
        if (entries > (payload.Length - 8) / entrySize)
        {
            return null;
        }

        var edits = new List<(ulong, long)>();
        for (int i = 0; i < entries; i++)
        {
            ReadOnlySpan<byte> e = payload.Slice(8 + (i * entrySize), entrySize);
            ulong duration = wide ? BinaryPrimitives.ReadUInt64BigEndian(e) : BinaryPrimitives.ReadUInt32BigEndian(e);
            long time = wide ? BinaryPrimitives.ReadInt64BigEndian(e[8..]) : BinaryPrimitives.ReadInt32BigEndian(e[4..]);
            uint rate = BinaryPrimitives.ReadUInt32BigEndian(e[(wide ? 16 : 8)..]);
            if (rate != 0x0001_0000)
            {
                return null;
            }

            edits.Add((duration, time));
        }

        return edits;
    }

    private static int[] Matrix(ReadOnlySpan<byte> bytes)
    {
        var matrix = new int[9];
        for (int i = 0; i < 9; i++)
        {
            matrix[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(4 * i, 4));
        }

        return matrix;
    }
}
