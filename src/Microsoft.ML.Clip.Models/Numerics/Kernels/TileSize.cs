namespace Microsoft.ML.Clip.Numerics.Kernels;

/// <summary>
/// A tile size (rows, or vectors of a row) known when the JIT compiles a kernel for it: a kernel generic over
/// <c>TSize : struct, ITileSize</c> is compiled once per size, and the code for unused rows and vectors vanishes.
/// </summary>
internal interface ITileSize
{
    /// <summary>The size.</summary>
    static abstract int Value { get; }
}

/// <summary>Size 1.</summary>
internal readonly struct TileSize1 : ITileSize
{
    public static int Value => 1;
}

/// <summary>Size 2.</summary>
internal readonly struct TileSize2 : ITileSize
{
    public static int Value => 2;
}

/// <summary>Size 3.</summary>
internal readonly struct TileSize3 : ITileSize
{
    public static int Value => 3;
}

/// <summary>Size 4.</summary>
internal readonly struct TileSize4 : ITileSize
{
    public static int Value => 4;
}

/// <summary>Size 5.</summary>
internal readonly struct TileSize5 : ITileSize
{
    public static int Value => 5;
}

/// <summary>Size 6.</summary>
internal readonly struct TileSize6 : ITileSize
{
    public static int Value => 6;
}

/// <summary>Size 7.</summary>
internal readonly struct TileSize7 : ITileSize
{
    public static int Value => 7;
}

/// <summary>Size 8.</summary>
internal readonly struct TileSize8 : ITileSize
{
    public static int Value => 8;
}
