using Microsoft.ML.Clip.Numerics;

namespace Microsoft.ML.Clip.Cli.Bench;

/// <summary>One benchmark of <c>clip bench</c>: prepared once (model and inputs built), then run repeatedly.</summary>
/// <param name="Name">The stable name (<c>xclip.video.b1</c>, …) used by <c>--filter</c> and the JSON output.</param>
/// <param name="Description">What one run does.</param>
/// <param name="Prepare">Builds what the run needs (models are shared through the <see cref="BenchmarkModels"/> cache); returns the run and its FLOP count.</param>
/// <param name="BestIsPeak">True when the figure of merit is the best run (a peak), not the median.</param>
/// <param name="Frames">Video frames one run decodes or embeds (reported as frames/s, so pre-processing and model read side by side); 0 for none.</param>
/// <param name="Outputs">
/// The embeddings one run computes (rows of the last axis), or null for a benchmark without: <c>clip bench --precision int8</c>
/// compares them with the float32 model's (cosine).
/// </param>
internal sealed record BenchmarkCase(
    string Name,
    string Description,
    Func<BenchmarkModels, (Action Run, double Flops)> Prepare,
    bool BestIsPeak = false,
    int Frames = 0,
    Func<BenchmarkModels, Tensor[]>? Outputs = null);
