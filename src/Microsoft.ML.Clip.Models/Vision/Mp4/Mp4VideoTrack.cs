namespace Microsoft.ML.Clip.Vision.Mp4;

/// <summary>The boxes of a movie's first video track that ffprobe's description of it comes from.</summary>
/// <param name="SampleEntry">The sample entry's four-character code (<c>avc1</c>, <c>avc3</c>, …).</param>
/// <param name="Sps">The first sequence parameter set of <c>avcC</c>, as stored (emulation prevention in), or null.</param>
/// <param name="HasColourBox">True when the sample entry has a <c>colr</c> box (container colour information).</param>
/// <param name="MediaTimescale"><c>mdhd</c> units per second.</param>
/// <param name="MediaDuration"><c>mdhd</c> duration in media units.</param>
/// <param name="SampleCount">The number of samples in <c>stts</c> (ffmpeg's <c>nb_frames</c>).</param>
/// <param name="SampleDurationSum">The sum of the <c>stts</c> sample durations (media units).</param>
/// <param name="SizeTableCount">The sample count of <c>stsz</c>/<c>stz2</c>.</param>
/// <param name="Edits">The <c>elst</c> entries (segment duration in movie units, media time), empty when none.</param>
/// <param name="Matrix">The <c>tkhd</c> display matrix, row-major (a, b, u, c, d, v, x, y, w).</param>
internal sealed record Mp4VideoTrack(
    string SampleEntry,
    byte[]? Sps,
    bool HasColourBox,
    uint MediaTimescale,
    ulong MediaDuration,
    long SampleCount,
    long SampleDurationSum,
    long SizeTableCount,
    IReadOnlyList<(ulong SegmentDuration, long MediaTime)> Edits,
    int[] Matrix);
