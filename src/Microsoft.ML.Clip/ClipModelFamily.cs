namespace Microsoft.ML.Transforms;

/// <summary>The model families the ML.NET transforms run.</summary>
public enum ClipModelFamily
{
    /// <summary>X-CLIP (video–text, <c>microsoft/xclip-*</c>).</summary>
    XClip,

    /// <summary>AltCLIP (multilingual image–text, <c>BAAI/AltCLIP*</c>).</summary>
    AltClip,
}
