using System.Buffers.Binary;
using Microsoft.ML.Clip.Vision;
using Microsoft.ML.Clip.Vision.Mp4;

namespace Microsoft.ML.Clip.Tests.Vision.Mp4;

/// <summary>
/// Malformed MP4 files: the in-process probe returns null (ffprobe then decides) or a description, never throws and
/// never hangs; through <see cref="VideoDecoder.Probe"/> the only error is ffprobe's <see cref="VideoDecodingException"/>.
/// </summary>
[TestClass]
public sealed class Mp4ProbeRobustnessTests
{
    private static readonly VideoDecoder Decoder = new();

    [TestMethod]
    public void TruncatedFilesFallBackOrDescribe()
    {
        using var media = new TempMedia();
        foreach (string flags in new[] { "+faststart", "-faststart" })
        {
            byte[] bytes = File.ReadAllBytes(SmallMp4(media, flags));
            for (int length = 0; length < bytes.Length; length += Math.Max(1, bytes.Length / 150))
            {
                AssertProbeTerminates(media, bytes[..length], $"{flags}, first {length} of {bytes.Length} bytes");
            }
        }
    }

    [TestMethod]
    public void TruncatedMovieBoxFallsBackToFfprobesError()
    {
        using var media = new TempMedia();
        byte[] bytes = File.ReadAllBytes(SmallMp4(media, "-faststart"));   // moov at the end
        (int moov, _) = TopLevelBox(bytes, "moov");
        string path = media.File("truncated.mp4");
        File.WriteAllBytes(path, bytes[..(moov + 40)]);

        Assert.IsNull(Mp4Probe.TryProbe(Decoder, Source(path)));
        VideoDecodingException e = Assert.ThrowsExactly<VideoDecodingException>(() => Decoder.Probe(path));
        StringAssert.Contains(e.Message, "truncated.mp4");
    }

    [TestMethod]
    public void BadBoxSizesFallBack()
    {
        using var media = new TempMedia();
        byte[] original = File.ReadAllBytes(SmallMp4(media, "+faststart"));
        (int moov, int moovSize) = TopLevelBox(original, "moov");
        var cases = new List<(string What, byte[] Bytes)>();
        foreach (string type in new[] { "moov", "trak", "mdia", "minf", "stbl", "stsd", "avc1", "avcC", "stts", "stsz", "elst", "tkhd", "mdhd", "hdlr" })
        {
            int at = IndexOf(original, type, type == "moov" ? 0 : moov + 8) - 4;   // (ftyp lists avc1 as a brand)
            Assert.IsTrue(at >= 0, type);
            foreach (uint size in new uint[] { 0, 1, 7, 0x7FFF_FFFF, 0xFFFF_FFFF, (uint)(original.Length - at + 1) })
            {
                byte[] bytes = (byte[])original.Clone();
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), size);
                cases.Add(($"{type} size {size}", bytes));
            }
        }

        // A 64-bit size past the end, and counts far beyond their tables.
        byte[] large = (byte[])original.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(large.AsSpan(moov), 1);
        cases.Add(("moov 64-bit size", large));
        foreach (string table in new[] { "stts", "stsd", "elst" })
        {
            byte[] bytes = (byte[])original.Clone();
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(IndexOf(original, table, moov + 8) + 8), 0xFFFF_FFF0);
            cases.Add(($"{table} entry count", bytes));
        }

        foreach ((string what, byte[] bytes) in cases)
        {
            AssertProbeTerminates(media, bytes, what);
        }

        // Sizes that reach past the end go to ffprobe, whose complaint is a VideoDecodingException (or it copes).
        foreach ((string what, byte[] bytes) in cases.Where(c => c.What.StartsWith("moov", StringComparison.Ordinal)))
        {
            string path = media.File("case.mp4");
            File.WriteAllBytes(path, bytes);
            try
            {
                Decoder.Probe(path);
            }
            catch (VideoDecodingException e)
            {
                StringAssert.Contains(e.Message, "case.mp4", what);
            }
        }

        Assert.IsTrue(moovSize > 0);
    }

    [TestMethod]
    public void RandomByteFlipsInTheMovieBoxNeverThrow()
    {
        using var media = new TempMedia();
        byte[] original = File.ReadAllBytes(SmallMp4(media, "+faststart"));
        (int moov, int moovSize) = TopLevelBox(original, "moov");
        var random = new Random(20261206);
        int described = 0;
        for (int round = 0; round < 400; round++)
        {
            byte[] bytes = (byte[])original.Clone();
            int flips = 1 + random.Next(4);
            for (int f = 0; f < flips; f++)
            {
                bytes[moov + random.Next(moovSize)] ^= (byte)(1 << random.Next(8));
            }

            if (AssertProbeTerminates(media, bytes, $"round {round}") is not null)
            {
                described++;
            }
        }

        // Flips in fields the probe does not read leave the file describable: the fast path was exercised.
        Assert.IsTrue(described > 0, "no mutated file was described");
    }

    /// <summary>Probes <paramref name="bytes"/> in-process on a worker with a time limit; a description must be sane.</summary>
    private static VideoInfo? AssertProbeTerminates(TempMedia media, byte[] bytes, string what)
    {
        string path = media.File("mutated.mp4");
        File.WriteAllBytes(path, bytes);
        Task<VideoInfo?> probe = Task.Run(() => Mp4Probe.TryProbe(Decoder, Source(path)));
        Assert.IsTrue(probe.Wait(TimeSpan.FromSeconds(20)), $"{what}: the probe did not finish");
        if (probe.Result is VideoInfo info)
        {
            Assert.IsTrue(info.Width > 0 && info.Height > 0 && info.FrameCount > 0 && info.FramesPerSecond > 0 && info.DurationSeconds > 0,
                $"{what}: {info}");
        }

        return probe.Result;
    }

    private static VideoInfo Source(string path) => new() { Path = path, Width = 0, Height = 0, FrameCount = 0, FrameCountSource = "" };

    private static string SmallMp4(TempMedia media, string movflags) => media.Ffmpeg($"small{movflags[0]}.mp4",
        "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-frames:v", "10", "-c:v", "libx264", "-movflags", movflags);

    private static int IndexOf(byte[] bytes, string fourCc, int from)
    {
        int found = bytes.AsSpan(from).IndexOf(System.Text.Encoding.ASCII.GetBytes(fourCc));
        return found < 0 ? -1 : from + found;
    }

    private static (int Offset, int Size) TopLevelBox(byte[] bytes, string type)
    {
        int at = 0;
        while (at + 8 <= bytes.Length)
        {
            int size = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));
            if (System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4) == type)
            {
                return (at, size);
            }

            at += size;
        }

        throw new InvalidOperationException($"no {type} box");
    }
}
