namespace Microsoft.ML.Clip.Vision.Mp4;

/// <summary>
/// What the probe needs from an H.264 sequence parameter set (H.264 §7.3.2.1.1 and VUI, Annex E): the cropped frame
/// size and what decides the decoder's pixel format.
/// </summary>
/// <param name="Width">The cropped width (what ffmpeg's h264 decoder reports).</param>
/// <param name="Height">The cropped height.</param>
/// <param name="ChromaFormat">chroma_format_idc: 0 = 4:0:0, 1 = 4:2:0, 2 = 4:2:2, 3 = 4:4:4.</param>
/// <param name="BitDepth">Bits per sample (luma; the parser refuses a different chroma depth).</param>
/// <param name="FullRange">video_full_range_flag, or null when the VUI has no video signal type.</param>
/// <param name="MatrixCoefficients">matrix_coefficients, or null when the VUI has no colour description.</param>
internal sealed record H264Sps(int Width, int Height, int ChromaFormat, int BitDepth, bool? FullRange, int? MatrixCoefficients);
