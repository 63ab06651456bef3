namespace Microsoft.ML.Clip.Vision;

/// <summary>
/// Pillow's resampling filters, numbered as in <c>PIL.Image.Resampling</c> (and as the <c>resample</c> field of
/// <c>preprocessor_config.json</c> stores them). All but nearest use Pillow's antialiased convolution resampler.
/// </summary>
public enum ResampleFilter
{
    /// <summary><c>NEAREST</c> (0): not a convolution; not supported by <see cref="PillowResampler"/>.</summary>
    Nearest = 0,

    /// <summary><c>LANCZOS</c> (1): windowed sinc, support 3.</summary>
    Lanczos = 1,

    /// <summary><c>BILINEAR</c> (2): triangle filter, support 1 (X-CLIP / VideoMAE).</summary>
    Bilinear = 2,

    /// <summary><c>BICUBIC</c> (3): cubic convolution with a = −0.5, support 2 (CLIP / AltCLIP).</summary>
    Bicubic = 3,

    /// <summary><c>BOX</c> (4): box filter, support 0.5.</summary>
    Box = 4,

    /// <summary><c>HAMMING</c> (5): Hamming-windowed sinc, support 1.</summary>
    Hamming = 5,
}
