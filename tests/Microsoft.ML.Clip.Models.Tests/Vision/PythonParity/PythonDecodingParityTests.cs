using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Testing;
using Microsoft.ML.Clip.Vision;

namespace Microsoft.ML.Clip.Tests.Vision.PythonParity;

/// <summary>
/// Differential tests against the real Python stack (<see cref="PythonCorpus"/>): every image decodes to Pillow's bytes
/// (transformers' <c>load_image</c>: <c>exif_transpose</c> + <c>convert("RGB")</c>) and every video frame to PyAV's
/// <c>to_ndarray(format="rgb24")</c>, byte for byte. Each test checks every input and lists all that differ, with the
/// largest difference and how many bytes differ.
/// </summary>
[TestClass]
public sealed class PythonDecodingParityTests
{
    private static readonly VideoDecoder Decoder = new();

    /// <summary>Our decoding of each input with the default decoder (every frame), shared by the pixel and pixel_values tests.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<RgbImage[]>> Decoded = new();

    [TestMethod]
    public void ImagesDecodeAsPillowLoadImage()
    {
        PythonCorpus corpus = PythonCorpus.Instance;
        AssertAllEqual(corpus.Images, DecodeAll, LoadImageReference);
    }

    [TestMethod]
    public void ImagesHeldInMemoryDecodeAsPillowLoadImage()
    {
        PythonCorpus corpus = PythonCorpus.Instance;
        AssertAllEqual(corpus.Images, entry => [Decoder.DecodeImage(File.ReadAllBytes(corpus.File(entry)), entry.Name)],
            LoadImageReference);
    }

    [TestMethod]
    public void ImagesKeepTheirStoredOrientationWhenAsked()
    {
        PythonCorpus corpus = PythonCorpus.Instance;
        var stored = new VideoDecoder { ApplyExifOrientation = false };
        AssertAllEqual(corpus.Images, entry => [stored.ReadImage(corpus.File(entry))], entry => corpus.Reference(entry, stored: true));
    }

    [TestMethod]
    public void TiffOrientationIsAppliedOnceWherePillow94AppliesItTwice()
    {
        // Documented in docs/decoding.md: applying the tag once more to our pixels gives Pillow 9.4's load_image.
        PythonCorpus corpus = PythonCorpus.Instance;
        CorpusEntry[] tiffs = corpus.Images.Where(PillowAppliesOrientationTwice).ToArray();
        Assert.AreEqual(1, tiffs.Length);
        foreach (CorpusEntry entry in tiffs)
        {
            VideoInfo info = Decoder.Probe(corpus.File(entry));
            RgbImage ours = DecodeAll(entry)[0];
            RgbImage pillow94 = corpus.Reference(entry)[0];

            Assert.AreEqual(6, info.ExifOrientation, entry.ToString());
            Assert.AreEqual((64, 40), (pillow94.Width, pillow94.Height), $"{entry}: Pillow 9.4 turns it twice (270° + 270°)");
            Assert.IsNull(PixelDifference.Describe(ImageOrientation.Apply(ours, info.ExifOrientation), pillow94), entry.ToString());
            Assert.AreEqual((40, 64), (ours.Width, ours.Height), $"{entry}: upright, turned once");
        }
    }

    [TestMethod]
    public void EveryExifOrientationIsExercised()
    {
        int[] orientations = PythonCorpus.Instance.Images
            .Select(e => new VideoDecoder().Probe(PythonCorpus.Instance.File(e)).ExifOrientation)
            .Distinct().Order().ToArray();

        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5, 6, 7, 8 }, orientations);
    }

    [TestMethod]
    public void VideosDecodeAsPyAv()
    {
        PythonCorpus corpus = PythonCorpus.Instance;
        AssertAllEqual(corpus.Videos, DecodeAll, entry => corpus.Reference(entry));
    }

    [TestMethod]
    public void SelectedFramesDecodeAsPyAv()
    {
        // Non-contiguous frames: the select filter runs before the RGB conversion.
        PythonCorpus corpus = PythonCorpus.Instance;
        AssertAllEqual(corpus.Videos, entry => Decoder.ReadFrames(corpus.File(entry), [1, 3, entry.Frames - 1]),
            entry => Pick(corpus.Reference(entry), 1, 3, entry.Frames - 1));
    }

    [TestMethod]
    public void FramesFromTheStartDecodeAsPyAvThroughTheRunStartedBeforeTheProbe()
    {
        // ReadFrames(path, …) starts ffmpeg while ffprobe runs; frames 0…k−1 need no select filter, only the trim.
        PythonCorpus corpus = PythonCorpus.Instance;
        AssertAllEqual(corpus.Videos, entry => Decoder.ReadFrames(corpus.File(entry), Enumerable.Range(0, entry.Frames).ToArray()),
            entry => corpus.Reference(entry));
    }

    [TestMethod]
    public void SoughtFramesDecodeAsPyAv()
    {
        // Seeking is frame-exact for constant-frame-rate videos (the variable-frame-rate clip is decoded by select).
        PythonCorpus corpus = PythonCorpus.Instance;
        var seeking = new VideoDecoder { AlwaysSeek = true };
        AssertAllEqual(corpus.Videos.Where(e => e.Name != "vfr.mkv"), entry => seeking.ReadFrames(corpus.File(entry), [2, entry.Frames - 1]),
            entry => Pick(corpus.Reference(entry), 2, entry.Frames - 1));
    }

    [TestMethod]
    public void PixelValuesOfImagesEqualThoseOfPillowsPixels()
    {
        // AltCLIP's processor (Pillow-exact, tests/fixtures/processors) on our pixels and on Pillow's.
        PythonCorpus corpus = PythonCorpus.Instance;
        var processor = ClipImageProcessor.FromPretrained(VisionFixtures.Config("altclip"));
        foreach (CorpusEntry entry in corpus.Images)
        {
            Tensor ours = processor.Preprocess(DecodeAll(entry)[0]);
            Tensor python = processor.Preprocess(LoadImageReference(entry)[0]);
            TensorAssert.Close(python, ours, 0f, $"AltCLIP pixel_values of {entry}");
        }
    }

    [TestMethod]
    public void PixelValuesOfVideosEqualThoseOfPyAvsFrames()
    {
        // X-CLIP's processor (VideoMAE, Pillow-exact) on our frames and on PyAV's.
        PythonCorpus corpus = PythonCorpus.Instance;
        var processor = VideoMaeImageProcessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));
        foreach (CorpusEntry entry in corpus.Videos)
        {
            Tensor ours = processor.Preprocess(DecodeAll(entry));
            Tensor python = processor.Preprocess(corpus.Reference(entry));
            TensorAssert.Close(python, ours, 0f, $"X-CLIP pixel_values of {entry}");
        }
    }

    [TestMethod]
    public void PixelValuesOfVideosThroughTheVisionPreprocessorEqualThoseOfPyAvsFrames()
    {
        // VisionPreprocessor.Process asks ffmpeg for only the part of each frame the resize and centre crop read
        // (FrameWindow): the pixel_values must still be those of PyAV's whole frames, sampled the same way.
        PythonCorpus corpus = PythonCorpus.Instance;
        var processor = VideoMaeImageProcessor.FromPretrained(VisionFixtures.Config("xclip-base-patch32"));
        var preprocessor = new VisionPreprocessor(processor.Config, numFrames: 8);
        int windowed = 0;
        foreach (CorpusEntry entry in corpus.Videos)
        {
            VideoInfo info = Decoder.Probe(corpus.File(entry));
            windowed += preprocessor.Pipeline.SourceWindow(info.Width, info.Height).IsWhole(info.Width, info.Height) ? 0 : 1;
            Tensor ours = preprocessor.Process([corpus.File(entry)]);
            int[] sampled = preprocessor.Sampling.Sample(entry.Frames, 8)[0];
            Tensor python = processor.Preprocess(Pick(corpus.Reference(entry), sampled));
            TensorAssert.Close(python, ours, 0f, $"X-CLIP pixel_values of {entry} through VisionPreprocessor");
        }

        Assert.IsTrue(windowed > 0, "at least one corpus video is decoded through a window");
    }

    /// <summary>Probes and decodes every frame of an input (once per test run), checking the probed size and frame count.</summary>
    private static RgbImage[] DecodeAll(CorpusEntry entry) => Decoded.GetOrAdd(entry.Name, _ => new Lazy<RgbImage[]>(() =>
    {
        VideoInfo info = Decoder.Probe(PythonCorpus.Instance.File(entry));
        (int width, int height) = PillowAppliesOrientationTwice(entry) ? (entry.StoredWidth, entry.StoredHeight) : (entry.Width, entry.Height);
        Assert.AreEqual((width, height, entry.Frames), (info.Width, info.Height, info.FrameCount), $"{entry}: probed size and frame count");
        return Decoder.ReadFramesAsync(info, Enumerable.Range(0, info.FrameCount).ToArray()).GetAwaiter().GetResult();
    })).Value;

    /// <summary>
    /// Pillow 9.4 applies a TIFF's orientation tag when it loads the pixels, and load_image's exif_transpose applies it
    /// again (fixed in Pillow 10.1, python-pillow/Pillow#7383). We apply it once: Pillow 9.4's
    /// <c>Image.open(path).convert("RGB")</c>, and Pillow 10.1's <c>load_image</c>.
    /// </summary>
    private static bool PillowAppliesOrientationTwice(CorpusEntry entry) =>
        entry.Name.StartsWith("tiff_", StringComparison.Ordinal) && entry.Name.Contains("orientation", StringComparison.Ordinal);

    /// <summary>What load_image gives, except for the TIFFs Pillow 9.4 turns twice (<see cref="PillowAppliesOrientationTwice"/>).</summary>
    private static RgbImage[] LoadImageReference(CorpusEntry entry) =>
        PythonCorpus.Instance.Reference(entry, stored: PillowAppliesOrientationTwice(entry));

    private static RgbImage[] Pick(RgbImage[] frames, params int[] indices) => indices.Select(i => frames[i]).ToArray();

    /// <summary>Decodes every entry and compares with the reference; fails listing every entry that differs.</summary>
    private static void AssertAllEqual(IEnumerable<CorpusEntry> entries, Func<CorpusEntry, RgbImage[]> decode, Func<CorpusEntry, RgbImage[]> reference)
    {
        var failures = new List<string>();
        int checkedCount = 0;
        foreach (CorpusEntry entry in entries)
        {
            checkedCount++;
            RgbImage[] ours;
            try
            {
                ours = decode(entry);
            }
            catch (Exception e) when (e is VideoDecodingException or InvalidOperationException)
            {
                failures.Add($"{entry}: {e.GetType().Name}: {e.Message}");
                continue;
            }

            RgbImage[] expected = reference(entry);
            if (ours.Length != expected.Length)
            {
                failures.Add($"{entry}: {ours.Length} frame(s), Python has {expected.Length}");
                continue;
            }

            for (int f = 0; f < ours.Length; f++)
            {
                if (PixelDifference.Describe(ours[f], expected[f]) is string difference)
                {
                    failures.Add($"{entry}, frame {f}: {difference}");
                    break;
                }
            }
        }

        Assert.IsTrue(checkedCount > 0, "The corpus has no entries of this kind.");
        Assert.AreEqual(0, failures.Count, $"{failures.Count} of {checkedCount} inputs differ from Python:\n" + string.Join("\n", failures));
    }
}
