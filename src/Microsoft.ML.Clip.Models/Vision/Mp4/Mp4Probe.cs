using System.Globalization;
using System.Numerics;

namespace Microsoft.ML.Clip.Vision.Mp4;

/// <summary>
/// Probes an MP4/MOV file whose first video track is H.264 in-process, from its <c>moov</c> box and SPS, giving the
/// <see cref="VideoInfo"/> <see cref="FfprobeProbe"/> gives for it (ffprobe 5.1's <c>mov</c> demuxer and <c>h264</c>
/// decoder: same fields, same arithmetic) without starting ffprobe. Anything else returns null and ffprobe probes.
/// </summary>
/// <remarks>
/// Covered: unfragmented ISO-BMFF starting with <c>ftyp</c>; first <c>vide</c> track with one <c>avc1</c>/<c>avc3</c>
/// sample entry and one progressive SPS, 8- or 10-bit 4:2:0/4:2:2/4:4:4, no left/top cropping; no edit list or one
/// edit with rate 1; identity movie matrix. Only the <c>moov</c> box is read (at most
/// <see cref="Mp4MovieBox.MaxMovieBoxBytes"/>); every size in it is bounds-checked.
/// </remarks>
internal static class Mp4Probe
{
    /// <summary>ffprobe's format name for the mov/mp4 demuxer.</summary>
    public const string ContainerFormat = "mov,mp4,m4a,3gp,3g2,mj2";

    /// <summary>The probe result for <paramref name="source"/>'s file, or null when ffprobe must probe it.</summary>
    public static VideoInfo? TryProbe(VideoDecoder decoder, VideoInfo source)
    {
        if (source.EncodedData is not null)
        {
            return null;
        }

        byte[]? moov;
        try
        {
            using var file = new FileStream(source.LocalFile ?? source.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.RandomAccess);
            moov = Mp4MovieBox.Read(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;   // ffprobe reports what is wrong with the file
        }

        if (moov is null || Mp4MovieParser.TryParse(moov) is not var (movieTimescale, movieMatrix, track))
        {
            return null;
        }

        return Describe(decoder, source, movieTimescale, movieMatrix, track);
    }

    private static VideoInfo? Describe(VideoDecoder decoder, VideoInfo source, uint movieTimescale, int[] movieMatrix, Mp4VideoTrack track)
    {
        if (track.SampleEntry is not ("avc1" or "avc3") || track.Sps is null || H264SpsParser.TryParse(track.Sps) is not H264Sps sps
            || PixelFormat(sps, track.HasColourBox) is not string pixelFormat
            || !IsIdentity(movieMatrix) || track.MediaTimescale == 0 || track.MediaDuration == uint.MaxValue
            || track.SampleCount <= 0 || track.SampleCount != track.SizeTableCount || track.SampleDurationSum <= 0
            || StreamDuration(track, movieTimescale) is not long duration || duration <= 0
            || FrameRate(track) is not double fps || Rotation(track.Matrix) is not int rotation)
        {
            return null;
        }

        // ffprobe prints the stream duration with %f (6 decimals) and FfprobeProbe parses that text.
        double seconds = duration * (1.0 / track.MediaTimescale);
        seconds = double.Parse(seconds.ToString("F6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

        // FfprobeProbe's check of nb_frames against duration × fps; a suspicious count goes to ffprobe (which counts packets).
        long declared = track.SampleCount;
        double expected = seconds * fps;
        if (!FfprobeProbe.AgreesWithDuration(declared, expected))
        {
            return null;
        }

        (int width, int height) = FfprobeProbe.DisplaySize(decoder, rotation, sps.Width, sps.Height);
        return source with
        {
            Width = width,
            Height = height,
            FrameCount = (int)declared,
            FrameCountSource = "nb_frames",
            FramesPerSecond = fps,
            DurationSeconds = seconds,
            Rotation = rotation,
            CodecName = "h264",
            ContainerFormat = ContainerFormat,
            PixelFormat = pixelFormat,
            IsImage = false,
        };
    }

    /// <summary>
    /// The pixel format ffmpeg's h264 decoder picks (h264_slice.c, get_pixel_format): yuv/yuvj 4:2:0, 4:2:2, 4:4:4 at
    /// 8 bits (j = full range), the <c>…10le</c> formats at 10 bits (no full-range variant). Null for grey, RGB
    /// (matrix 0), other depths, or when the range might come from the container's <c>colr</c> box instead of the SPS.
    /// </summary>
    private static string? PixelFormat(H264Sps sps, bool hasColourBox)
    {
        if (sps.ChromaFormat == 0 || sps.MatrixCoefficients == 0 || (hasColourBox && (sps.FullRange is null || sps.MatrixCoefficients is null)))
        {
            return null;
        }

        string chroma = sps.ChromaFormat switch { 1 => "420p", 2 => "422p", _ => "444p" };
        return sps.BitDepth switch
        {
            8 => (sps.FullRange == true ? "yuvj" : "yuv") + chroma,
            10 => "yuv" + chroma + "10le",
            _ => null,
        };
    }

    /// <summary>
    /// The stream duration in media units as mov.c leaves it: mdhd's duration, lowered to the stts total; with an edit
    /// list (mov_fix_index), lowered to the edit's duration in media units when that is shorter (av_rescale, rounding
    /// half away from zero; the movie timescale is often 1000, so an edit of a whole track is a little longer than it
    /// and changes nothing). Null for an edit list other than one edit with a media time ≥ 0.
    /// </summary>
    private static long? StreamDuration(Mp4VideoTrack track, uint movieTimescale)
    {
        long media = Math.Min((long)Math.Min(track.MediaDuration, long.MaxValue), track.SampleDurationSum);
        if (track.Edits.Count == 0)
        {
            return media;
        }

        if (track.Edits is not [(ulong segment, long mediaTime)] || mediaTime < 0 || segment == 0 || movieTimescale == 0 || segment > long.MaxValue)
        {
            return null;
        }

        Int128 scaled = (((Int128)segment * track.MediaTimescale) + (movieTimescale / 2)) / movieTimescale;
        return scaled >= media ? media : (long)scaled;
    }

    /// <summary>avg_frame_rate: av_reduce(timescale × samples, stts duration, INT_MAX) as a double; null when it would not reduce exactly.</summary>
    private static double? FrameRate(Mp4VideoTrack track)
    {
        long numerator = track.MediaTimescale * track.SampleCount;   // < 2^32 · 2^31: no overflow
        long denominator = track.SampleDurationSum;
        long divisor = (long)BigInteger.GreatestCommonDivisor(numerator, denominator);
        numerator /= divisor;
        denominator /= divisor;
        if (numerator > int.MaxValue || denominator > int.MaxValue)
        {
            return null;
        }

        return (double)numerator / denominator;
    }

    /// <summary>
    /// ffprobe's side-data <c>rotation</c>: 0 for the identity matrix (no side data), else av_display_rotation_get
    /// (the counter-clockwise angle, negated) printed as an integer (truncated). Null when it is undefined.
    /// </summary>
    private static int? Rotation(int[] m)
    {
        if (IsIdentity(m))
        {
            return 0;
        }

        static double Fixed(int value) => value / 65536.0;
        double scale0 = Hypot(Fixed(m[0]), Fixed(m[3]));
        double scale1 = Hypot(Fixed(m[1]), Fixed(m[4]));
        if (scale0 == 0.0 || scale1 == 0.0)
        {
            return null;
        }

        double rotation = -(Math.Atan2(Fixed(m[1]) / scale1, Fixed(m[0]) / scale0) * 180 / Math.PI);
        return (int)rotation;
    }

    private static double Hypot(double x, double y) => Math.Sqrt((x * x) + (y * y));

    private static bool IsIdentity(int[] m) =>
        m[0] == 1 << 16 && m[1] == 0 && m[2] == 0 && m[3] == 0 && m[4] == 1 << 16 && m[5] == 0 && m[6] == 0 && m[7] == 0 && m[8] == 1 << 30;
}
