namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>Which implementation of the attention core <see cref="Attention"/> runs (tests and benchmarks compare them).</summary>
internal enum AttentionPath
{
    /// <summary><see cref="AttentionKernels"/> where they serve the head width and instruction set, else <see cref="Gemm"/>.</summary>
    Best,

    /// <summary>Two <see cref="Numerics.Gemm"/> products per (sequence, head): the reference path.</summary>
    Gemm,
}
