namespace Microsoft.ML.Clip.Benchmarks;

/// <summary>The GEMM shapes of the real models, as <c>nn.Linear</c> calls: <c>[m, k]·W[n, k]ᵀ</c>.</summary>
public static class GemmShapes
{
    /// <summary>Name, m, k, n.</summary>
    public static readonly (string Name, int M, int K, int N)[] All =
    [
        ("xclip-b32 mlp [400,768]x[768,3072]", 400, 768, 3072),
        ("vit-l14 mlp [257,1024]x[1024,4096]", 257, 1024, 4096),
        ("short text [16,1024]x[1024,1024]", 16, 1024, 1024),
    ];
}
