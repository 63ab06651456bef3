using System.Runtime.CompilerServices;
using Microsoft.ML.Clip.Numerics;
using Microsoft.ML.Clip.Numerics.Kernels;

namespace Microsoft.ML.Clip.Modeling;

/// <summary>
/// im2col for the ViT patch convolution (kernel = stride = patch): one row per patch, its columns in the conv weight's
/// <c>(channel, ky, kx)</c> order, so the convolution is one product with the weight <c>[hidden, channels·patch²]</c>.
/// Each image's rows are preceded by a row of zeros, the class token's slot: the product then writes the patch
/// embeddings straight into the rows of the embeddings tensor <c>[images, patches + 1, hidden]</c> (its class rows come
/// out zero and are overwritten). Pure copies, split over the worker pool by rows of patches.
/// </summary>
internal sealed unsafe class PatchRows : ParallelJob
{
    [ThreadStatic]
    private static PatchRows? t_job;

    private float* _pixels;
    private float* _rows;
    private int _channels;
    private int _height;
    private int _width;
    private int _patch;
    private int _gridH;
    private int _gridW;

    /// <summary>
    /// <paramref name="pixels"/> <c>[images, channels, height, width]</c> → <paramref name="rows"/>
    /// <c>[images, 1 + gridH·gridW, channels·patch²]</c>: row 0 of each image zero, then its patches in row-major grid
    /// order (<c>gridH = height / patch</c>, <c>gridW = width / patch</c>; pixels past the last whole patch are unused,
    /// as in the strided convolution).
    /// </summary>
    /// <param name="pixels">The images.</param>
    /// <param name="patch">The patch side.</param>
    /// <param name="rows">The rows, <c>images·(1 + gridH·gridW)·channels·patch²</c> values.</param>
    /// <param name="maxThreads">Threads to split the copies over.</param>
    public static void Gather(Tensor pixels, int patch, Span<float> rows, int maxThreads)
    {
        int images = pixels.Dim(0), channels = pixels.Dim(1), height = pixels.Dim(2), width = pixels.Dim(3);
        int gridH = height / patch, gridW = width / patch;
        long needed = (long)images * (1 + (gridH * gridW)) * channels * patch * patch;
        if (rows.Length < needed)
        {
            throw new ArgumentException($"The patch rows of {pixels} in {patch}×{patch} patches need {needed} values; got {rows.Length}.", nameof(rows));
        }

        PatchRows job = t_job ??= new PatchRows();
        job._channels = channels;
        job._height = height;
        job._width = width;
        job._patch = patch;
        job._gridH = gridH;
        job._gridW = gridW;
        int items = images * gridH; // one row of patches of one image
        int threads = WorkerPool.ThreadsForValues(needed, maxThreads);
        fixed (float* source = pixels.Span)
        fixed (float* target = rows)
        {
            job._pixels = source;
            job._rows = target;
            try
            {
                WorkerPool.Run(job, items, threads);
            }
            finally
            {
                job._pixels = null;
                job._rows = null;
            }
        }
    }

    /// <summary>Copies the patches of grid row <c>index % gridH</c> of image <c>index / gridH</c> (and clears the image's class row with its first grid row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int index)
    {
        int p = _patch, channels = _channels, height = _height, width = _width, gridW = _gridW;
        int image = index / _gridH, gy = index % _gridH;
        int columns = channels * p * p;
        long imageRow0 = (long)image * (1 + (_gridH * gridW)); // the class row
        if (gy == 0)
        {
            new Span<float>(_rows + (imageRow0 * columns), columns).Clear();
        }

        float* imagePixels = _pixels + ((long)image * channels * height * width);
        for (int gx = 0; gx < gridW; gx++)
        {
            float* row = _rows + ((imageRow0 + 1 + (gy * gridW) + gx) * columns);
            for (int c = 0; c < channels; c++)
            {
                float* source = imagePixels + ((((long)c * height) + (gy * p)) * width) + (gx * p);
                for (int ky = 0; ky < p; ky++)
                {
                    new ReadOnlySpan<float>(source + ((long)ky * width), p).CopyTo(new Span<float>(row + (((c * p) + ky) * p), p));
                }
            }
        }
    }
}
