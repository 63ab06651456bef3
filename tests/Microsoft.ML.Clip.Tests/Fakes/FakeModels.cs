using System.Collections.Concurrent;
using Microsoft.ML.Clip.Tasks;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Clip.Tests.Fakes;

/// <summary>
/// Small deterministic stand-ins for the models. Concepts: a text or file name mentioning "cat",
/// "dog" or "bird" embeds along axis 0, 1 or 2; axis 3 carries a per-input offset so rows differ.
/// Paths containing "missing" fail like an unreadable file.
/// </summary>
internal static class FakeEmbedding
{
    public const int Dimension = 4;

    public static float[] Of(string text)
    {
        var v = new float[Dimension];
        v[0] = text.Contains("cat", StringComparison.Ordinal) ? 1 : 0;
        v[1] = text.Contains("dog", StringComparison.Ordinal) ? 1 : 0;
        v[2] = text.Contains("bird", StringComparison.Ordinal) ? 1 : 0;
        v[3] = (text.Length % 7) / 10f;
        return v;
    }

    public static float[] OfFile(string path)
    {
        if (path.Contains("missing", StringComparison.Ordinal))
        {
            throw new FileNotFoundException($"Could not find file '{path}'.", path);
        }

        return Of(Path.GetFileName(path));
    }

    public static float[] OfPixels(float[] pixels) => [pixels.Sum(), pixels.Max(), pixels.Min(), pixels.Length];
}

internal sealed class FakeTextEmbedder : ITextEmbedder
{
    public ConcurrentQueue<int> Batches { get; } = new();

    public int Dimension => FakeEmbedding.Dimension;

    public float[][] EmbedTexts(IReadOnlyList<string> texts)
    {
        Batches.Enqueue(texts.Count);
        return texts.Select(FakeEmbedding.Of).ToArray();
    }
}

internal sealed class FakeVideoEmbedder : IVideoEmbedder
{
    public const int Pixels = 2 * 3 * 2 * 2; // [frames 2, 3, 2, 2]

    public ConcurrentQueue<int> Batches { get; } = new();

    public int Dimension => FakeEmbedding.Dimension;

    public int PixelValueCount => Pixels;

    public float[][] EmbedVideos(IReadOnlyList<VideoInput> videos)
    {
        Batches.Enqueue(videos.Count);
        return videos.Select(v =>
            v.Path is not null ? FakeEmbedding.OfFile(v.Path)
            : v.FramePaths is not null ? FakeEmbedding.Of(string.Join("|", v.FramePaths.Select(f => { FakeEmbedding.OfFile(f); return Path.GetFileName(f); })))
            : FakeEmbedding.OfPixels(v.Pixels!)).ToArray();
    }
}

internal sealed class FakeImageEmbedder : IImageEmbedder
{
    public const int Pixels = 3 * 2 * 2;

    public int Dimension => FakeEmbedding.Dimension;

    public int PixelValueCount => Pixels;

    public float[][] EmbedImages(IReadOnlyList<ImageInput> images) =>
        images.Select(i => i.Path is not null ? FakeEmbedding.OfFile(i.Path) : FakeEmbedding.OfPixels(i.Pixels!)).ToArray();
}

/// <summary>Counts loads; every load returns a fresh fake model.</summary>
internal sealed class FakeModelLoader : IClipModelLoader
{
    private int _loads;

    public int Loads => _loads;

    public FakeTextEmbedder? LastText { get; private set; }

    public FakeVideoEmbedder? LastVideo { get; private set; }

    public const float LogitScale = 10;

    public ITextEmbedder LoadTextEmbedder(ClipModelFamily family, string model) => LastText = Count(new FakeTextEmbedder());

    public IVideoEmbedder LoadVideoEmbedder(string model) => LastVideo = Count(new FakeVideoEmbedder());

    public IImageEmbedder LoadImageEmbedder(string model) => Count(new FakeImageEmbedder());

    public IZeroShotScorer<VideoInput> LoadVideoZeroShotScorer(string model)
    {
        var video = new FakeVideoEmbedder();
        LastVideo = video;
        return Count(new EmbeddingZeroShotScorer<VideoInput>(video.EmbedVideos, new FakeTextEmbedder(), LogitScale));
    }

    public IZeroShotScorer<ImageInput> LoadImageZeroShotScorer(string model)
    {
        var image = new FakeImageEmbedder();
        return Count(new EmbeddingZeroShotScorer<ImageInput>(image.EmbedImages, new FakeTextEmbedder(), LogitScale));
    }

    private T Count<T>(T model)
    {
        Interlocked.Increment(ref _loads);
        return model;
    }
}
